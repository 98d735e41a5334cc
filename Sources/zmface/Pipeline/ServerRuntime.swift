import Foundation
import Ingest
import Logging
import Recognition
import ServiceLifecycle
import Sink
import Web
import Workers
import ZMFaceCore

/// The one composition root of the long-running commands (`serve`, `ingest`, `backfill`): the
/// worker pool and classifier, the PUB socket, MQTT and, when ingesting, the ZoneMinder pipeline, started
/// in that order and torn down in reverse however `body` ends. A failure anywhere is reported as one
/// `zmface: error:` line and exit code 1.
struct ServerRuntime {
    let settings: ServerConfiguration
    let logger: Logger
    let pool: RecognitionPool
    let classifier: ReloadableClassifier?
    let publisher: ResultPublisher?
    let mqtt: MQTTPublishing?
    /// Present when the runtime was started with `ingesting`.
    let pipeline: IngestionPipeline?
    /// The faces page, when `web.address` is set.
    let facesPage: WebAPI?

    static func run(
        _ settings: ServerConfiguration, ingesting: Bool, mqtt withMQTT: Bool = true, web withWeb: Bool = false,
        configurationPath: String? = nil, logger: Logger, _ body: (ServerRuntime) async throws -> Void
    ) async throws {
        let (pool, classifier) = try await CommandError.reportingFailure {
            if ingesting {
                // Checked before the models load, so a missing setting fails in milliseconds.
                _ = try settings.requiredPostgresURL()
                _ = try settings.zoneminder.resolvedDatabase()
            }
            if withWeb, settings.web != nil {
                _ = try settings.requiredPostgresURL(for: FacesPage.name)
            }
            return try await RecognitionStack.start(settings, logger: logger)
        }
        var publisher: ResultPublisher?
        var mqtt: MQTTPublishing?
        var pipeline: IngestionPipeline?
        var facesPage: WebAPI?
        defer {
            pipeline?.close()
            publisher?.stop()
        }
        do {
            try await CommandError.reportingFailure {
                publisher = try await ResultPublisher.start(settings.publish, security: settings.security)
                if publisher != nil {
                    logger.info("publishing results", metadata: ["endpoints": "\(settings.publish.endpoints)"])
                }
                // Not for a backfill: a second client beside a running server would push it off the
                // broker (same client id), reset its retained presence and mark it offline at the end.
                if withMQTT {
                    mqtt = try await MQTTPublishing.start(settings, classifier: classifier, logger: logger)
                }
                if ingesting {
                    let announcers: [(any ResultAnnouncer)?] = [publisher, mqtt?.announcer]
                    pipeline = try IngestionPipeline.make(
                        settings: settings, pool: pool, classifier: classifier,
                        announcers: announcers.compactMap { $0 },
                        logger: logger)
                }
                if withWeb {
                    facesPage = try FacesPage.make(
                        settings, configurationPath: configurationPath, pool: pool, classifier: classifier,
                        logger: logger)
                }
                try await body(
                    ServerRuntime(
                        settings: settings, logger: logger, pool: pool, classifier: classifier, publisher: publisher,
                        mqtt: mqtt, pipeline: pipeline, facesPage: facesPage))
            }
        } catch {
            // After the body: nothing announces any more, and what is queued gets its chance.
            await mqtt?.stop()
            await pool.shutdown()
            throw error
        }
        await mqtt?.stop()
        await pool.shutdown()
    }

    /// The services every long-running command runs: the heap trim, ingestion when there is a
    /// pipeline, the `status` topic when it is configured, and the faces page when it is.
    var services: [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: MemoryTrimService())]
        if let pipeline {
            services.append(.init(service: IngestService(pipeline: pipeline, logger: logger)))
        }
        if let mqtt {
            services.append(
                .init(service: MQTTService(publishing: mqtt, classifier: classifier, catalog: pipeline?.catalog)))
        }
        services += facesServices
        if let status = StatusPublisherService.configured(
            settings.publish, publisher: publisher, pool: pool, store: pipeline?.store, classifier: classifier)
        {
            services.append(.init(service: status))
        }
        if let facesPage {
            services.append(.init(service: WebService(api: facesPage)))
        }
        return services
    }

    /// With PostgreSQL configured: clustering of unknown faces across events, and crop retention
    /// when crops are kept (`faces`). Instances sharing a database may all run them: clustering
    /// takes turns by an advisory lock, retention's deletes are idempotent.
    var facesServices: [ServiceGroupConfiguration.ServiceConfiguration] {
        guard let url = settings.resolvedPostgresURL() else { return [] }
        let faces = settings.faces
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: FaceClusteringService(
                    store: FaceClusterStore(conninfo: url), settings: faces.cluster, maxWait: faces.clusterMaxWait,
                    interval: .milliseconds(Int(faces.clusterIntervalSeconds * 1000)), logger: logger))
        ]
        if let cropsPath = faces.cropsPath {
            services.append(
                .init(
                    service: CropRetentionService(
                        retention: CropRetention(conninfo: url, files: FaceCropFiles(root: cropsPath)),
                        policy: faces.retention, interval: .milliseconds(Int(faces.retentionIntervalSeconds * 1000)),
                        logger: logger)))
        }
        return services
    }

    /// The pipeline of a runtime started with `ingesting`.
    var ingestion: IngestionPipeline {
        guard let pipeline else { preconditionFailure("ServerRuntime.run(ingesting: false) has no pipeline") }
        return pipeline
    }
}
