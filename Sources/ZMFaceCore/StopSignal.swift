import Synchronization

/// A one-way "stop now" flag shared by the parts of a pipeline, so that a part waiting out an
/// outage (a database down) hears a shutdown too, not only the loop that asked for it.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func request() {
        flag.store(true, ordering: .relaxed)
    }

    public var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Sleeps `duration` in slices of at most 0.2 s so that a stop cuts it short; true when the
    /// whole duration passed, false when a stop was requested. Throws on task cancellation, as
    /// `Task.sleep` does.
    public func sleep(for duration: Duration) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        while true {
            if isRequested { return false }
            let left = deadline - clock.now
            guard left > .zero else { return true }
            try await Task.sleep(for: min(.milliseconds(200), left))
        }
    }
}

/// A retry loop gave up because a stop was requested while the thing it waits for was down.
public struct StoppedWhileWaiting: Error, CustomStringConvertible {
    public let lastError: String
    public var description: String { "stopped while waiting for an outage to end (last error: \(lastError))" }
}
