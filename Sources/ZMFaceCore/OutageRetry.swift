public import Logging

/// Retries calls to a service that is down (the ZoneMinder database, PostgreSQL): waits with
/// `Backoff`, logs each failed attempt and the recovery, counts the failures, and gives up with
/// `StoppedWhileWaiting` when a shutdown is requested. Any other error is thrown at once: a
/// rejected statement is a bug or a schema problem, not an outage.
public struct OutageRetry: Sendable {
    /// The service, as the log names it ("PostgreSQL").
    public let service: String
    /// What waits meanwhile ("ingestion paused").
    public let effect: String
    private let isOutage: @Sendable (any Error) -> Bool
    private let onFailure: @Sendable () -> Void
    private let logger: Logger
    private let stop: StopSignal?

    public init(
        service: String, effect: String, logger: Logger, stop: StopSignal?,
        isOutage: @escaping @Sendable (any Error) -> Bool, onFailure: @escaping @Sendable () -> Void
    ) {
        self.service = service
        self.effect = effect
        self.logger = logger
        self.stop = stop
        self.isOutage = isOutage
        self.onFailure = onFailure
    }

    /// Runs `body` until it succeeds; `what` says in the log what was being done.
    public func callAsFunction<T: Sendable>(_ what: String, _ body: @Sendable () async throws -> T) async throws -> T {
        let (service, effect, logger, onFailure) = (service, effect, logger, onFailure)
        return try await Backoff.retrying(
            isTransient: isOutage,
            onRetry: { error, delay in
                onFailure()
                logger.warning(
                    "\(service) unavailable; \(effect)",
                    metadata: ["while": "\(what)", "error": "\(error)", "retryIn": "\(delay)"])
            },
            onRecovered: { _ in logger.info("\(service) reachable again; resuming", metadata: ["while": "\(what)"]) },
            stop: stop, body)
    }
}
