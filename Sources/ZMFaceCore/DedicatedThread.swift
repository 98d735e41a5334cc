import Foundation
import Synchronization

/// One OS thread that owns a piece of state (a database connection, a ZeroMQ socket, a dlib model
/// set) and runs
/// jobs on it one after another. Blocking C libraries (dlib, libpq, libmariadb, libzmq) are called from
/// here, never from Swift's cooperative pool, and their handles never leave this thread.
public final class DedicatedThread<State>: Sendable {
    public typealias Job = @Sendable (inout State) -> Void

    fileprivate enum Command {
        case run(Job)
        case stop
    }

    /// Shared with the thread's closure, which cannot capture a `Mutex` directly.
    private final class Queue: Sendable {
        let commands = Mutex<[Command]>([])
        let signal = DispatchSemaphore(value: 0)
        let stopped = Mutex(false)
    }

    private let queue = Queue()

    /// Starts the thread; `makeState` runs on it, so the state is created where it is used.
    /// `onExit` runs on the thread after the state has been released (e.g. to trim the heap).
    public init(
        name: String, makeState: @escaping @Sendable () -> State, onExit: (@Sendable () -> Void)? = nil
    ) {
        let thread = Thread { [queue] in
            Self.serve(queue, makeState())
            onExit?()
            EndingThreads.ended()
        }
        thread.name = name
        thread.start()
    }

    /// Runs jobs until stopped; `state` is released when this returns.
    private static func serve(_ queue: Queue, _ initial: State) {
        var state = initial
        while true {
            queue.signal.wait()
            switch queue.commands.withLock({ $0.removeFirst() }) {
            case .run(let job): job(&state)
            case .stop: return
            }
        }
    }

    deinit {
        stop()
    }

    /// Runs `body` on the thread with its state and returns what it returns.
    public func perform<Result: Sendable>(
        _ body: @escaping @Sendable (inout State) throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = enqueue(.run { state in continuation.resume(with: Swift.Result { try body(&state) }) })
            if !accepted { continuation.resume(throwing: DedicatedThreadStopped()) }
        }
    }

    /// Queues `job` without waiting for it (a job that runs again and again queues its next run
    /// itself); false when the thread has stopped.
    @discardableResult
    public func submit(_ job: @escaping Job) -> Bool {
        enqueue(.run(job))
    }

    /// Lets queued jobs finish, then ends the thread (the state is released there).
    public func stop() {
        let first = queue.stopped.withLock { stopped in
            defer { stopped = true }
            if !stopped { queue.commands.withLock { $0.append(.stop) } }
            return !stopped
        }
        if first {
            EndingThreads.ending()
            queue.signal.signal()
        }
    }

    /// One semaphore signal per command, so the thread never takes from an empty queue.
    private func enqueue(_ command: Command) -> Bool {
        let accepted = queue.stopped.withLock { stopped in
            guard !stopped else { return false }
            queue.commands.withLock { $0.append(command) }
            return true
        }
        if accepted { queue.signal.signal() }
        return accepted
    }
}

/// The `DedicatedThread`s that have been asked to stop and have not ended yet, process-wide.
public enum EndingThreads {
    private static let count = Atomic<Int>(0)
    static func ending() { count.add(1, ordering: .releasing) }
    static func ended() { count.subtract(1, ordering: .releasing) }

    /// Waits until every thread asked to stop, in the whole process, has ended (its state
    /// released), or `timeout` has passed; true when they all ended. Commands call it before the
    /// process exits: `exit()` runs C++ static destructors (dlib, OpenBLAS) and OpenSSL's cleanup,
    /// and a thread still releasing a model set or closing a TLS connection then works on freed
    /// state (seen as heap corruption at the very end of `ingest --once`).
    public static func waitForAll(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while EndingThreads.count.load(ordering: .acquiring) > 0 {
            guard clock.now < deadline else { return false }
            // Polled: this runs once, at exit, for the few milliseconds a model set takes to free.
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}

/// A job was handed to a thread that has already been stopped.
public struct DedicatedThreadStopped: Error, CustomStringConvertible {
    public var description: String { "the worker thread has stopped" }
}
