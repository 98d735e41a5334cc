import Foundation
import Synchronization
import Testing
import ZMFaceCore

private final class SlowState {
    let released: @Sendable () -> Void
    init(released: @escaping @Sendable () -> Void) { self.released = released }
    deinit {
        // Long enough that a caller who does not wait sees the state still alive.
        Thread.sleep(forTimeInterval: 0.3)
        released()
    }
}

// Serialized: `EndingThreads` counts every thread of the process.
@Suite("DedicatedThread", .serialized)
struct DedicatedThreadTests {
    @Test("after stop(), waitForAll returns only once the thread has released its state (nothing runs at exit)")
    func stoppedThreadsAreWaitedFor() async throws {
        let box = ReleasedBox()
        let thread = DedicatedThread<SlowState>(name: "test-slow-release") {
            SlowState { box.mark() }
        }
        try await thread.perform { _ in }
        thread.stop()
        #expect(!box.isMarked, "the release takes 0.3 s, so it cannot have happened yet")
        let ended = await EndingThreads.waitForAll(timeout: .seconds(30))
        #expect(ended, "the thread ended within the timeout")
        #expect(box.isMarked, "its state was released before waitForAll returned")
    }

    @Test("the wait is bounded: a thread stuck in a job is given up on after the timeout")
    func waitIsBounded() async throws {
        let gate = DispatchSemaphore(value: 0)
        let thread = DedicatedThread<Void>(name: "test-stuck") { () }
        thread.submit { _ in gate.wait() }
        thread.stop()
        let ended = await EndingThreads.waitForAll(timeout: .milliseconds(200))
        #expect(!ended, "the stuck thread has not ended")
        gate.signal()
        #expect(await EndingThreads.waitForAll(timeout: .seconds(30)), "it ends once its job returns")
    }
}

/// Set from the owning thread when its state is released (a native handle's deinit).
private final class ReleasedBox: Sendable {
    private let marked = Atomic<Bool>(false)
    func mark() { marked.store(true, ordering: .releasing) }
    var isMarked: Bool { marked.load(ordering: .acquiring) }
}
