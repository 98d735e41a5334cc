/// Waits between retries of something that is down (a database): 0.5 s, doubling up to a cap.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    private var next: Duration

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
        self.next = initial
    }

    /// The delay to wait now; each call doubles the following one.
    public mutating func nextDelay() -> Duration {
        defer { next = min(next * 2, maximum) }
        return next
    }
}

extension Backoff {
    /// Runs `body` until it succeeds, waiting between attempts while `isTransient` says the failure
    /// is an outage (a database down) and rethrowing anything else. `onRetry` hears each failure and
    /// the delay before the next try; `onRecovered` the number of failures once it works again.
    /// When `stop` is requested during an outage it throws `StoppedWhileWaiting` within 0.2 s, so
    /// a shutdown never waits for a database to come back.
    public static func retrying<T: Sendable>(
        isTransient: (any Error) -> Bool,
        onRetry: (any Error, Duration) -> Void,
        onRecovered: (Int) -> Void,
        stop: StopSignal? = nil,
        _ body: () async throws -> T
    ) async throws -> T {
        var backoff = Backoff()
        var failures = 0
        while true {
            do {
                let value = try await body()
                if failures > 0 { onRecovered(failures) }
                return value
            } catch  where isTransient(error) {
                failures += 1
                let delay = backoff.nextDelay()
                onRetry(error, delay)
                if let stop {
                    guard try await stop.sleep(for: delay) else { throw StoppedWhileWaiting(lastError: "\(error)") }
                } else {
                    try await Task.sleep(for: delay)
                }
            }
        }
    }
}
