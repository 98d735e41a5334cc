import Foundation
import Ingest
import Logging
import Recognition
import Sink
import Workers
import ZMFaceCore
import ZeroMQ
import ZeroRPC

/// The parts of ZoneMinder ingestion, built from the configuration around a running pool:
/// ZoneMinder catalog → frame reader → pool → PostgreSQL → announcers (the PUB socket, and the
/// ZoneMinder Notes write-back when `zoneminder.notes` is on).
struct IngestionPipeline: Sendable {
    let store: ResultStore
    let catalog: ZoneMinderCatalog
    let reader: EventFrameReader
    let ingestor: EventIngestor
    /// `zoneminder.notes`: the write-back's connection, when it is on.
    let notesWriter: ZoneMinderNotesWriter?

    static func make(
        settings: ServerConfiguration, pool: RecognitionPool, classifier: ReloadableClassifier?,
        announcers: [any ResultAnnouncer], logger: Logger
    ) throws -> IngestionPipeline {
        let store = ResultStore(conninfo: try settings.requiredPostgresURL())
        let catalog = ZoneMinderCatalog(
            settings: try settings.zoneminder.resolvedDatabase(), defaultEventsPath: settings.zoneminder.eventsPath,
            monitors: settings.zoneminder.monitors)
        let reader = EventFrameReader(
            stills: ImageDecoder(maxFileBytes: settings.maxImageBytes, maxPixels: settings.maxImagePixels),
            maxPixels: settings.maxImagePixels)
        var ingest = settings.ingest
        ingest.concurrency = max(ingest.concurrency, settings.workers + 1)
        let recognizer = FrameRecognizer(
            pool: pool, settings: settings.recognition, classifier: classifier,
            crops: settings.faces.cropsPath == nil ? .none : settings.faces.keep)
        let stop = StopSignal()
        let source = EventIngestor.cursorKey(monitors: settings.zoneminder.monitors)
        var announcers = announcers
        var notesWriter: ZoneMinderNotesWriter?
        if settings.zoneminder.notes.enabled {
            let database = try settings.zoneminder.resolvedNotesDatabase()
            let writer = ZoneMinderNotesWriter(settings: database)
            notesWriter = writer
            announcers.append(
                ZoneMinderNotesAnnouncer(writer: writer, database: database.database, logger: logger, stop: stop))
        }
        let ingestor = EventIngestor(
            catalog: catalog, frames: reader, recognizer: recognizer,
            sink: PostgresResultSink(
                store: store, announcers: announcers, instance: ingest.instance,
                owner: ingest.instance + "/" + UUID().uuidString.prefix(8).lowercased(),
                leaseSeconds: ingest.leaseSeconds, source: source,
                legacySource: source == EventIngestor.liveSource ? nil : EventIngestor.liveSource, logger: logger,
                stop: stop,
                crops: settings.faces.cropsPath.map { FaceCropFiles(root: $0) }),
            settings: ingest, logger: logger, stop: stop)
        return IngestionPipeline(
            store: store, catalog: catalog, reader: reader, ingestor: ingestor, notesWriter: notesWriter)
    }

    /// Applies pending schema migrations, waiting for PostgreSQL if it is not up yet.
    func migrate(logger: Logger) async throws {
        let store = store
        let applied = try await PostgresResultSink.outageRetry(logger: logger, stop: ingestor.stop)(
            "migrating the schema at start"
        ) { try await store.migrate() }
        if !applied.isEmpty {
            logger.info("PostgreSQL schema migrated", metadata: ["versions": "\(applied)"])
        }
    }

    func close() {
        notesWriter?.close()
        reader.close()
        catalog.close()
        store.close()
    }
}

extension ResultPublisher {
    /// Starts the PUB socket when endpoints are configured.
    static func start(_ settings: PublishConfiguration, security: ServerSocketSecurity) async throws
        -> ResultPublisher?
    {
        guard !settings.endpoints.isEmpty else { return nil }
        let serverID = settings.serverID ?? ProcessInfo.processInfo.hostName
        let logger = Logger(label: "zmface.publish")
        let publisher = try await ResultPublisher.start(
            endpoints: settings.endpoints, highWaterMark: settings.highWaterMark, serverID: serverID,
            security: security
        ) { decision in
            Telemetry.curveHandshake(.publish, allowed: decision.allowed)
            logger.log(decision, socket: "publish")
        }
        if let curve = security.curve {
            logger.info(
                "PUB socket: CURVE on tcp endpoints",
                metadata: [
                    "curve_server_key": "\(curve.keyPair.publicKey)",
                    "curve_clients": "\(curve.clientKeysDirectory ?? "any client with the server key")",
                ])
        }
        return publisher
    }
}
