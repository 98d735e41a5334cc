import Logging
import ZMFaceCore

/// Retries a ZoneMinder database call while the database is unreachable: ingestion pauses, nothing
/// is skipped, and a shutdown cuts the wait short (`StoppedWhileWaiting`).
struct ZoneMinderRetry: Sendable {
    let logger: Logger
    let stop: StopSignal

    func callAsFunction<T: Sendable>(_ what: String, _ body: @Sendable () async throws -> T) async throws -> T {
        let logger = logger
        return try await Backoff.retrying(
            isTransient: { ($0 as? MariaDBError)?.isUnavailable == true },
            onRetry: { error, delay in
                Telemetry.zoneMinderDatabaseFailed()
                logger.warning(
                    "ZoneMinder database unavailable; ingestion paused",
                    metadata: ["while": "\(what)", "error": "\(error)", "retryIn": "\(delay)"])
            },
            onRecovered: { _ in logger.info("ZoneMinder database reachable again", metadata: ["while": "\(what)"]) },
            stop: stop, body)
    }
}
