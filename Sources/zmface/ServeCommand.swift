public import ArgumentParser
import FaceAPI
import Foundation
public import Logging
import MessagePack
import Recognition
import ServiceLifecycle
import Sink
import Workers
import ZeroMQ
import ZeroRPC

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve detect_faces over zerorpc, as a drop-in for the original face server.",
        discussion: """
            Reads worker.json (see the README for every field) or the original server's config.json \
            (its faceDetServer keys keep their meaning). SIGTERM or SIGINT stops taking calls, lets \
            running calls finish (zerorpc.drainSeconds) and exits 0.

            Examples:
              zmface serve --config worker.json
              zmface serve --config /opt/smart-zoneminder/face-det-rec/config.json
              zmface serve --endpoint tcp://127.0.0.1:4242 --workers 2
              zmface serve --config /etc/zmface/worker.json --check   # validate, then exit
            """
    )

    @Option(help: "worker.json or the original config.json (default: ./worker.json if present).")
    var config: String?

    @Option(help: "Recognition workers (overrides the configuration).")
    var workers: Int?

    @Option(help: "zerorpc endpoint to bind instead of the configured ones (repeatable).")
    var endpoint: [String] = []

    @Option(help: "Directory holding the dlib model files (overrides the configuration).")
    var models: String?

    @Option(help: "Classifier model file (overrides the configuration).")
    var classifier: String?

    @Option(help: "Image root a caller may read from, instead of the configured ones (repeatable).")
    var imageRoot: [String] = []

    @Option(help: "Serve Prometheus /metrics and /healthz on host:port (overrides metrics.address).")
    var metricsAddress: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Flag(help: "Check the configuration, the model files and the classifier, print a summary and exit.")
    var check = false

    func run() async throws {
        RecognitionStack.bootstrapLogging(logLevel)
        let logger = Logger(label: "zmface")
        let loadedConfig = FileVersion(of: configurationPath)
        let settings = try CommandError.reportingFailure { try resolvedConfiguration() }
        for notice in settings.notices { logger.notice("\(notice)") }
        let metricsEndpoint = try CommandError.reportingFailure { try settings.metricsEndpoint() }
        if check {
            try CommandError.reportingFailure { try Self.checkOnly(settings) }
            return
        }
        let registry = metricsEndpoint.map { _ in MetricsService.bootstrap() }
        let loadedModel = FileVersion(of: settings.classifierModel)
        try await ServerRuntime.run(
            settings, ingesting: settings.zoneminder.enabled, web: true, configurationPath: configurationPath,
            logger: logger
        ) { runtime in
            let (pool, classifier) = (runtime.pool, runtime.classifier)
            let service = DetectFacesService(
                pool: pool, recognizer: FaceRecognizer(settings: settings.recognition, identifier: classifier),
                paths: ImagePathPolicy(roots: settings.imageRoots),
                limits: .init(
                    maxLabels: settings.maxLabels, queueWait: .milliseconds(Int(settings.queueWaitSeconds * 1000)),
                    decoder: ImageDecoder(maxFileBytes: settings.maxImageBytes, maxPixels: settings.maxImagePixels)))
            let server = ZeroRPCServer(
                configuration: settings.zerorpc, security: settings.security,
                methods: [Self.detectFacesMethod(service)], logger: logger)
            var services = runtime.services
            services.append(.init(service: ZeroRPCServerService(server: server)))
            let (reloadRequests, reloadContinuation) = AsyncStream<Void>.makeStream()
            services.append(
                .init(
                    service: ConfigurationReloadService(
                        configPath: configurationPath, overrides: overrides, running: settings, pool: pool,
                        classifier: classifier, logger: logger, reloadRequests: reloadRequests,
                        loadedConfig: loadedConfig, loadedModel: loadedModel),
                    successTerminationBehavior: .ignore))
            if let metricsEndpoint, let registry {
                services.append(
                    .init(
                        service: MetricsService(
                            host: metricsEndpoint.host, port: metricsEndpoint.port, registry: registry, pool: pool,
                            server: server, classifier: classifier, logger: logger)))
            }
            // Signals go through SignalRouter, not the group's own gracefulShutdownSignals: see ProcessSignals.
            let group = ServiceGroup(configuration: .init(services: services, logger: logger))
            let router = SignalRouter.start(group: group, reloadRequests: reloadContinuation, logger: logger)
            defer { router.cancel() }
            try await group.run()
            let statistics = server.statistics
            logger.info(
                "stopped",
                metadata: [
                    "requests": "\(statistics.requests)", "ok": "\(statistics.succeeded)",
                    "err": "\(statistics.failed)", "dropped": "\(statistics.dropped)",
                ])
        }
    }

    /// `--check`: everything that can be verified without starting (models found, classifier
    /// loadable, ZoneMinder settings readable, PostgreSQL configured when ingestion is on).
    private static func checkOnly(_ settings: ServerConfiguration) throws {
        let files = try ModelFiles.locate(explicit: settings.models)
        var lines = ["models: \(files.directory.path)", "workers: \(settings.workers)"]
        if let path = settings.classifierModel {
            let classifier = try ReloadableClassifier(path: path, minProbaOverride: settings.minProba)
            let model = classifier.classifier.model
            lines.append("classifier: \(path) (\(classifier.modelVersion), \(model.classes.count) classes)")
            let rule = model.openSet
            lines.append(
                String(
                    format: "open-set rule: minProba %.2f, maxDistance %.2f, minMargin %.2f", rule.minProba,
                    rule.maxDistance, rule.minMargin) + (model.calibration.map { " (model: \($0.note))" } ?? ""))
            if let warning = classifier.minProbaWarning { lines.append("warning: \(warning)") }
        }
        lines.append("zerorpc: \(settings.zerorpc.endpoints.joined(separator: ", "))")
        if settings.zoneminder.enabled {
            let database = try settings.zoneminder.resolvedDatabase()
            _ = try settings.requiredPostgresURL()
            lines.append(
                "zoneminder: \(database.user)@\(database.socket ?? database.host ?? "localhost")/\(database.database)")
        }
        if !settings.publish.endpoints.isEmpty {
            lines.append("publish: \(settings.publish.endpoints.joined(separator: ", "))")
        }
        if let mqtt = settings.mqtt {
            lines.append(
                "mqtt: \(mqtt.broker) as \(mqtt.username ?? "anonymous"), topics \(mqtt.topicPrefix)/…, discovery "
                    + (mqtt.discovery ? "\(mqtt.discoveryPrefix)/…" : "off"))
        }
        if let curve = settings.security.curve {
            lines.append(
                "curve: tcp endpoints, server key \(curve.keyPair.publicKey), clients: "
                    + (curve.clientKeysDirectory ?? "any with the server key"))
        }
        print("configuration OK\n  " + lines.joined(separator: "\n  "))
    }

    /// The configuration file served: --config, else ./worker.json when present.
    private var configurationPath: String? {
        ServerConfiguration.path(explicit: config)
    }

    /// The command-line settings, applied over the file at start and on every live reload.
    private var overrides: @Sendable (inout ServerConfiguration) -> Void {
        let (workers, endpoint, imageRoot, models, classifier, metricsAddress) = (
            workers, endpoint, imageRoot, models, classifier, metricsAddress
        )
        return { settings in
            if let workers { settings.workers = workers }
            if !endpoint.isEmpty { settings.zerorpc.endpoints = endpoint }
            if !imageRoot.isEmpty { settings.imageRoots = imageRoot }
            if let models { settings.models = models }
            if let classifier { settings.classifierModel = classifier }
            if let metricsAddress { settings.metricsAddress = metricsAddress }
        }
    }

    func validate() throws {
        if let workers, !(1...64).contains(workers) { throw ValidationError("--workers must be between 1 and 64") }
    }

    private func resolvedConfiguration() throws -> ServerConfiguration {
        var settings = try configurationPath.map { try ServerConfiguration.load(path: $0) } ?? ServerConfiguration()
        overrides(&settings)
        for endpoint in settings.zerorpc.endpoints {
            try EndpointPolicy.checkExposure(endpoint, allowRemote: settings.security.allowRemote)
        }
        return settings
    }

    static func detectFacesMethod(_ service: DetectFacesService) -> ZeroRPCMethod {
        ZeroRPCMethod(
            name: "detect_faces", argumentNames: ["test_image_paths"],
            documentation: """
                Detect and recognize faces in the person boxes of ZoneMinder images. Takes a list of \
                {image, labels} objects; returns it as JSON text with face, faceProba, faceStatus and faces \
                added to every label named "person".
                """
        ) { arguments in
            guard arguments.count == 1 else {
                throw ZeroRPCError(
                    name: "TypeError",
                    message: "detect_faces() takes 1 positional argument but \(arguments.count) were given")
            }
            do {
                return .string(try await service.detectFaces(arguments[0]))
            } catch let error as DetectFacesError {
                throw ZeroRPCError(name: error.pythonName, message: error.message)
            }
        }
    }
}

/// Runs the zerorpc server as a lifecycle service: graceful shutdown stops new calls and drains the
/// running ones.
struct ZeroRPCServerService: Service {
    let server: ZeroRPCServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            server.shutdown()
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
