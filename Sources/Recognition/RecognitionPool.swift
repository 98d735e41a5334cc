import Foundation
import Synchronization
public import Workers
import ZMFaceCore

/// Why the pool did not run a job.
public enum PoolError: Error, Equatable, CustomStringConvertible {
    /// No worker became free within the caller's wait, or the wait queue was full.
    case overloaded(waited: Duration, queued: Int)
    case shutDown

    public var description: String {
        switch self {
        case .overloaded(let waited, let queued):
            "all recognition workers busy (waited \(waited), \(queued) jobs queued)"
        case .shutDown: "the recognition pool is shut down"
        }
    }
}

/// Who waits for a worker. When one frees up it goes to the most urgent waiter, first come first
/// served among equals: a zerorpc caller is waiting on the line, a live event is minutes old at
/// most, a backfill can wait.
public enum JobPriority: Int, Sendable, Comparable {
    case interactive = 0
    case live = 1
    case backfill = 2

    public static func < (lhs: JobPriority, rhs: JobPriority) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A set of recognition workers, each a thread that owns its own dlib model set. Jobs wait in a
/// bounded queue for a free worker, up to a deadline each caller chooses; past it they fail with
/// `PoolError.overloaded` instead of piling up. The number of workers can change while jobs run:
/// new workers load their models before taking work, and surplus ones retire when their current
/// job is done, so no job is lost or run twice.
public actor RecognitionPool {
    private let modelFiles: ModelFiles
    private let queueCapacity: Int
    /// How many workers the pool should have; busy surplus workers retire on release.
    private var target: Int
    private var nextWorkerNumber: Int
    private var idle: [RecognitionWorker]
    private var all: [RecognitionWorker]
    private var waiters:
        [(id: UInt64, priority: JobPriority, continuation: CheckedContinuation<RecognitionWorker, any Error>)] = []
    private var nextWaiterID: UInt64 = 0
    private var isShutDown = false
    /// Jobs refused because the queue was full or their wait ran out.
    public private(set) var shedCount = 0
    /// Waits that armed a deadline timer. Only waits with a deadline do: on Linux a cancelled
    /// `Task.sleep` keeps its Dispatch timer and task (about 700 bytes) until the deadline passes,
    /// so ingestion's wait-as-long-as-it-takes jobs once held one per frame for a year (the memory
    /// run's +0.75 KiB per frame).
    public private(set) var timedWaits = 0

    /// Starts `workers` threads and loads a model set on each (about 0.8 s, in parallel).
    public init(workers: Int, modelFiles: ModelFiles, queueCapacity: Int = 256) async throws {
        precondition(workers > 0, "a pool needs at least one worker")
        NativeRuntime.setBLASThreads(1)
        var started: [RecognitionWorker] = []
        do {
            for index in 0..<workers {
                started.append(try await RecognitionWorker.start(name: "recognition-\(index)", files: modelFiles))
            }
        } catch {
            for worker in started { worker.stop() }
            throw error
        }
        self.modelFiles = modelFiles
        self.target = workers
        self.nextWorkerNumber = workers
        self.queueCapacity = queueCapacity
        self.idle = started
        self.all = started
    }

    /// Workers currently running (retiring busy ones included until their job ends).
    public var workerCount: Int { all.count }

    /// Grows or shrinks the pool to `workers`. Growing returns once the new workers' models are
    /// loaded; shrinking stops idle workers now and busy ones when their job finishes.
    public func resize(to workers: Int) async throws {
        precondition(workers > 0, "a pool needs at least one worker")
        guard !isShutDown else { throw PoolError.shutDown }
        target = workers
        while all.count < target {
            nextWorkerNumber += 1
            let worker = try await RecognitionWorker.start(name: "recognition-\(nextWorkerNumber)", files: modelFiles)
            guard !isShutDown, all.count < target else {
                worker.stop()
                break
            }
            all.append(worker)
            release(worker)
        }
        while all.count > target, let worker = idle.popLast() {
            retire(worker)
        }
    }

    private func retire(_ worker: RecognitionWorker) {
        all.removeAll { $0 === worker }
        worker.stop()
    }

    /// Runs `job` on a free worker's thread with that worker's models, waiting at most `maxWait` for
    /// a worker to become free; with `nil`, as long as it takes.
    public func run<Result: Sendable>(
        waitingAtMost maxWait: Duration?, priority: JobPriority = .interactive,
        _ job: @escaping @Sendable (FaceModelSet) throws -> Result
    ) async throws -> Result {
        let worker = try await acquire(maxWait: maxWait, priority: priority)
        defer { release(worker) }
        return try await worker.perform(job)
    }

    public var queuedJobs: Int { waiters.count }
    public var busyWorkers: Int { all.count - idle.count }

    /// Stops every worker once its current job is done; later jobs fail with `.shutDown`.
    public func shutdown() {
        isShutDown = true
        for waiter in waiters { waiter.continuation.resume(throwing: PoolError.shutDown) }
        waiters.removeAll()
        for worker in all { worker.stop() }
    }

    private func acquire(maxWait: Duration?, priority: JobPriority) async throws -> RecognitionWorker {
        guard !isShutDown else { throw PoolError.shutDown }
        if let worker = idle.popLast() { return worker }
        guard waiters.count < queueCapacity else {
            shedCount += 1
            throw PoolError.overloaded(waited: .zero, queued: waiters.count)
        }
        nextWaiterID += 1
        let id = nextWaiterID
        let timeout = maxWait.map { maxWait in
            timedWaits += 1
            return Task { [weak self] in
                try await Task.sleep(for: maxWait)
                await self?.expire(id, waited: maxWait)
            }
        }
        defer { timeout?.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            waiters.append((id, priority, continuation))
        }
    }

    private func expire(_ id: UInt64, waited: Duration) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        shedCount += 1
        waiter.continuation.resume(throwing: PoolError.overloaded(waited: waited, queued: waiters.count))
    }

    private func release(_ worker: RecognitionWorker) {
        if all.count > target {
            retire(worker)
        } else if let next = waiters.indices.min(by: { waiters[$0].priority < waiters[$1].priority }) {
            // min(by:) returns the first of equal elements, so equals stay first come first served.
            waiters.remove(at: next).continuation.resume(returning: worker)
        } else {
            idle.append(worker)
        }
    }
}

/// One recognition thread and the model set only it touches. Jobs arrive one at a time (the pool
/// hands a worker to one caller at a time) and run on the thread, never on Swift's cooperative pool:
/// dlib calls block for tens of milliseconds to seconds.
private final class RecognitionWorker: Sendable {
    /// The models, or why they could not be loaded.
    private let thread: DedicatedThread<Result<FaceModelSet, any Error>>

    private init(thread: DedicatedThread<Result<FaceModelSet, any Error>>) {
        self.thread = thread
    }

    /// Starts the thread, loads the models on it and returns once they are loaded.
    static func start(name: String, files: ModelFiles) async throws -> RecognitionWorker {
        let worker = RecognitionWorker(
            thread: DedicatedThread(
                name: name, makeState: { Result { try FaceModelSet(files: files) } }, onExit: releaseFreedMemory))
        do {
            try await worker.thread.perform { models in _ = try models.get() }
        } catch {
            worker.stop()
            throw error
        }
        return worker
    }

    func perform<Result: Sendable>(_ job: @escaping @Sendable (FaceModelSet) throws -> Result) async throws -> Result {
        try await thread.perform { models in try job(models.get()) }
    }

    /// The thread ends after the job in hand; the model set is released there.
    func stop() {
        thread.stop()
    }
}

/// Hands memory freed by a retired worker back to the system. Each thread allocates from its own
/// glibc arena, and a model set's ~100 MiB of tensors would otherwise stay mapped after it is freed.
private func releaseFreedMemory() {
    ProcessMemory.releaseFreedMemory()
}
