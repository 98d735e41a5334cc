import Foundation
import Ingest
import Logging
import Sink
import ZMFaceCore

/// Ingestion's result sink: commit to PostgreSQL (results + cursor in one transaction), then
/// publish. While PostgreSQL is down, `commit` waits and retries, so the whole pipeline pauses
/// through the bounded pool and resumes with nothing lost.
struct PostgresResultSink: IngestResultSink {
    let store: ResultStore
    let publisher: ResultPublisher?
    let logger: Logger
    /// The ingestor's: on a shutdown during an outage the event in hand is given up uncommitted
    /// (the cursor has not moved, so the next start handles it again).
    let stop: StopSignal

    func lowWatermark() async throws -> Int64? {
        try await retrying("reading the cursor") { try await store.lowWatermark(source: EventIngestor.liveSource) }
    }

    func initializeLowWatermark(_ watermark: Int64) async throws {
        try await retrying("recording the first cursor") {
            try await store.initializeLowWatermark(source: EventIngestor.liveSource, to: watermark)
        }
    }

    func handledEvents(from: Int64) async throws -> Set<Int64> {
        try await retrying("reading handled events") { try await store.handledEvents(from: from) }
    }

    func commit(_ results: EventResults) async throws {
        let started = ContinuousClock.now
        try await retrying("committing event \(results.event.id)") {
            try await store.commit(results, source: EventIngestor.liveSource)
        }
        Telemetry.Stage.commit.record(nanoseconds: (ContinuousClock.now - started).nanoseconds)
        Telemetry.detectionsCommitted(results.faceCount)
        await publisher?.publish(results)
    }

    /// Retries while PostgreSQL is unreachable; a rejected statement is a bug or a schema problem
    /// and stops ingestion loudly instead of looping.
    private func retrying<T: Sendable>(_ what: String, _ body: @Sendable () async throws -> T) async throws -> T {
        try await Backoff.retrying(
            isTransient: { ($0 as? PostgresError)?.isUnavailable == true },
            onRetry: { error, delay in
                Telemetry.postgresFailed()
                logger.warning(
                    "PostgreSQL unavailable; pipeline paused",
                    metadata: ["while": "\(what)", "error": "\(error)", "retryIn": "\(delay)"])
            },
            onRecovered: { _ in logger.info("PostgreSQL reachable again; resuming", metadata: ["while": "\(what)"]) },
            stop: stop, body)
    }
}
