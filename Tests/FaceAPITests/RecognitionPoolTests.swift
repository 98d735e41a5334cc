import Foundation
import Recognition
import Synchronization
import Testing
import Workers
import ZMFaceCore

/// The pool's promises: jobs run on worker threads with their own models, a saturated pool makes
/// callers wait only as long as they said, and a full queue refuses at once. Real models, one worker.
@Suite(.serialized) struct RecognitionPoolTests {
    static let models = ModelFiles(
        directory: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models"))

    @Test("A job waits for the busy worker, then runs; past its wait it is refused as overloaded")
    func waitingAndOverload() async throws {
        let pool = try await RecognitionPool(workers: 1, modelFiles: Self.models, queueCapacity: 4)
        async let busy: Bool = pool.run(waitingAtMost: .seconds(5)) { _ in
            Thread.sleep(forTimeInterval: 1.5)
            return true
        }
        try await Task.sleep(for: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: PoolError.self) {
            try await pool.run(waitingAtMost: .milliseconds(300)) { _ in 1 }
        }
        #expect(clock.now - start < .seconds(1.2), "refused after its own wait, not after the busy job")
        let waited = try await pool.run(waitingAtMost: .seconds(5)) { _ in Thread.isMainThread ? -1 : 2 }
        #expect(waited == 2, "ran on a worker thread once the worker was free")
        #expect(try await busy)
        #expect(await pool.shedCount == 1)
        await pool.shutdown()
    }

    @Test(
        "A job without a deadline waits for a busy worker and arms no timer; each waiting job with a deadline arms one"
    )
    func waitingWithoutDeadline() async throws {
        // Why it matters: a cancelled Task.sleep keeps its timer until its deadline on Linux, so a
        // timer per ingested frame with a year-long deadline grew the heap ~0.7 KiB per frame.
        // The busy job holds the worker until every other job is queued, so each of them waits.
        let pool = try await RecognitionPool(workers: 1, modelFiles: Self.models, queueCapacity: 64)
        let gate = Gate()
        async let busy: Int = pool.run(waitingAtMost: nil) { _ in
            gate.wait()
            return -1
        }
        async let results = withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<40 {
                group.addTask { try await pool.run(waitingAtMost: nil, priority: .live) { _ in index } }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        try await Self.waitUntil {
            let (busy, queued) = (await pool.busyWorkers, await pool.queuedJobs)
            return busy == 1 && queued == 40
        }
        gate.open()
        #expect(try await busy == -1)
        #expect(try await results.sorted() == Array(0..<40), "every waiting job ran once")
        #expect(await pool.timedWaits == 0, "no deadline, no timer")
        #expect(await pool.shedCount == 0)

        let secondGate = Gate()
        async let busyAgain: Int = pool.run(waitingAtMost: nil) { _ in
            secondGate.wait()
            return -1
        }
        try await Self.waitUntil { await pool.busyWorkers == 1 }
        async let first = pool.run(waitingAtMost: .seconds(60)) { _ in 1 }
        async let second = pool.run(waitingAtMost: .seconds(60)) { _ in 2 }
        try await Self.waitUntil { await pool.queuedJobs == 2 }
        secondGate.open()
        #expect(try await [first, second, busyAgain].sorted() == [-1, 1, 2])
        #expect(await pool.timedWaits == 2, "each job that had to wait with a deadline armed its timer")
        await pool.shutdown()
    }

    /// Polls `condition` every 10 ms for up to 30 s: a bound for a stuck test, not a timing claim.
    static func waitUntil(_ condition: () async -> Bool) async throws {
        for _ in 0..<3000 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition not reached within 30 s")
    }

    @Test("A freed worker goes to the most urgent waiter: zerorpc calls, then live events, then backfill")
    func priorities() async throws {
        let pool = try await RecognitionPool(workers: 1, modelFiles: Self.models, queueCapacity: 8)
        let order = OrderRecorder()
        async let busy: Int = pool.run(waitingAtMost: .seconds(10)) { _ in
            Thread.sleep(forTimeInterval: 1.0)
            return 0
        }
        try await Task.sleep(for: .milliseconds(200))
        let queued: [(String, JobPriority)] = [
            ("backfill-1", .backfill), ("live-1", .live), ("rpc-1", .interactive), ("backfill-2", .backfill),
            ("live-2", .live), ("rpc-2", .interactive),
        ]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (name, priority) in queued {
                group.addTask {
                    try await pool.run(waitingAtMost: .seconds(30), priority: priority) { _ in
                        order.append(name)
                    }
                }
                // Queued one after another, so "first come" is well defined within a priority.
                try await Task.sleep(for: .milliseconds(50))
            }
            try await group.waitForAll()
        }
        _ = try await busy
        #expect(order.names == ["rpc-1", "rpc-2", "live-1", "live-2", "backfill-1", "backfill-2"])
        await pool.shutdown()
    }

    @Test("A full queue refuses immediately; shutdown fails waiting and later jobs")
    func queueCapacityAndShutdown() async throws {
        let pool = try await RecognitionPool(workers: 1, modelFiles: Self.models, queueCapacity: 1)
        async let busy: Int = pool.run(waitingAtMost: .seconds(5)) { _ in
            Thread.sleep(forTimeInterval: 1.0)
            return 1
        }
        try await Task.sleep(for: .milliseconds(200))
        async let queued: Int = pool.run(waitingAtMost: .seconds(5)) { _ in 2 }
        try await Task.sleep(for: .milliseconds(100))
        await #expect(throws: PoolError.overloaded(waited: .zero, queued: 1)) {
            try await pool.run(waitingAtMost: .seconds(5)) { _ in 3 }
        }
        #expect(try await busy == 1)
        #expect(try await queued == 2)
        await pool.shutdown()
        await #expect(throws: PoolError.shutDown) { try await pool.run(waitingAtMost: .seconds(1)) { _ in 4 } }
    }

    @Test("Jobs get the worker's own model set and can run dlib on it")
    func jobsUseModels() async throws {
        let pool = try await RecognitionPool(workers: 2, modelFiles: Self.models)
        let grey = try #require(RGBImage(width: 200, height: 150, pixels: [UInt8](repeating: 90, count: 200 * 150 * 3)))
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await pool.run(waitingAtMost: .seconds(30)) { models in
                        try models.detectFaces(in: grey, detector: .hog, upsample: 0).count
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == [0, 0, 0, 0])
        await pool.shutdown()
    }

    @Test("Resizing 1 → 4 → 1 under a continuous stream runs every job exactly once")
    func resizeUnderLoad() async throws {
        let pool = try await RecognitionPool(workers: 1, modelFiles: Self.models, queueCapacity: 1000)
        let grey = try #require(RGBImage(width: 160, height: 120, pixels: [UInt8](repeating: 90, count: 160 * 120 * 3)))
        let runs = RunLog()
        let jobs = 120
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for id in 0..<jobs {
                group.addTask {
                    try await pool.run(waitingAtMost: .seconds(120)) { models in
                        _ = try models.detectFaces(in: grey, detector: .hog, upsample: 0)
                        Thread.sleep(forTimeInterval: 0.01)
                        runs.record(id)
                        return id
                    }
                }
                if id == 20 { try await pool.resize(to: 4) }
                if id == 70 { try await pool.resize(to: 1) }
                try await Task.sleep(for: .milliseconds(5))
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<jobs), "every job answered once")
        #expect(runs.counts.values.allSatisfy { $0 == 1 } && runs.counts.count == jobs, "and run once")
        #expect(await pool.workerCount == 1, "surplus workers retired once their jobs ended")
        try await pool.resize(to: 2)
        #expect(await pool.workerCount == 2)
        let id = try await pool.run(waitingAtMost: .seconds(5)) { _ in 7 }
        #expect(id == 7)
        await pool.shutdown()
    }
}

/// Counts how often each job ran, from any worker thread.
private final class RunLog: Sendable {
    private let runs = Mutex<[Int: Int]>([:])

    func record(_ id: Int) { runs.withLock { $0[id, default: 0] += 1 } }
    var counts: [Int: Int] { runs.withLock { $0 } }
}

/// Holds a job on its worker thread until the test opens it.
final class Gate: Sendable {
    private let isOpen = Atomic<Bool>(false)
    func open() { isOpen.store(true, ordering: .releasing) }
    func wait() { while !isOpen.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.005) } }
}

/// Names in the order jobs ran, written from worker threads.
final class OrderRecorder: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ name: String) { storage.withLock { $0.append(name) } }
    var names: [String] { storage.withLock { $0 } }
}
