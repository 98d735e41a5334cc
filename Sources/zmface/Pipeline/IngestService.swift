import Ingest
import Logging
import ServiceLifecycle
import ZMFaceCore

/// ZoneMinder ingestion as a lifecycle service. Graceful shutdown lets the event in hand finish
/// and commit; the next start continues from the committed cursor.
struct IngestService: Service {
    let pipeline: IngestionPipeline
    let logger: Logger

    func run() async throws {
        try await withGracefulShutdownHandler {
            do {
                try await pipeline.migrate(logger: logger)
                let handled = try await pipeline.ingestor.run()
                logger.info("ingestion stopped", metadata: ["events": "\(handled)"])
            } catch let error as StoppedWhileWaiting {
                logger.notice(
                    "ingestion stopped during a database outage; an uncommitted event is handled again at the next start",
                    metadata: ["error": "\(error.lastError)"])
            }
        } onGracefulShutdown: {
            pipeline.ingestor.requestStop()
        }
    }
}
