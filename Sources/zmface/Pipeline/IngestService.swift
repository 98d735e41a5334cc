import Ingest
import Logging
import ServiceLifecycle

/// ZoneMinder ingestion as a lifecycle service. Graceful shutdown lets the event in hand finish
/// and commit; the next start continues from the committed cursor.
struct IngestService: Service {
    let pipeline: IngestionPipeline
    let logger: Logger

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await pipeline.migrate(logger: logger)
            let handled = try await pipeline.ingestor.run()
            logger.info("ingestion stopped", metadata: ["events": "\(handled)"])
        } onGracefulShutdown: {
            pipeline.ingestor.requestStop()
        }
    }
}
