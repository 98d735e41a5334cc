import FaceAPI
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import Recognition
import ServiceLifecycle
import Workers
import ZMFaceCore
import ZeroRPC

/// Prometheus text on `/metrics` and a health summary on `/healthz`, on their own HTTP port.
/// Stage latencies and face counts are recorded where they happen (swift-metrics); the pool and
/// zerorpc state is sampled here once a second.
struct MetricsService: Service {
    let host: String
    let port: Int
    let registry: PrometheusCollectorRegistry
    let pool: RecognitionPool
    let server: ZeroRPCServer
    let classifier: ReloadableClassifier?
    let logger: Logger

    /// Installs Prometheus as the swift-metrics backend; call once, before anything records.
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            .seconds(10), .seconds(30),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }

    func run() async throws {
        let router = Router()
        let (registry, pool, server, classifier) = (registry, pool, server, classifier)
        router.get("/metrics") { _, _ -> Response in
            await Self.sample(pool: pool, server: server, classifier: classifier)
            var buffer = [UInt8]()
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("/healthz") { _, _ -> Response in
            let health: [String: String] = [
                "status": "ok", "workers": "\(await pool.workerCount)", "busyWorkers": "\(await pool.busyWorkers)",
                "queued": "\(await pool.queuedJobs)", "zerorpcInFlight": "\(server.statistics.inFlight)",
                "classifier": classifier.map { "\($0.classifier.model.kind.rawValue) \($0.classifier.model.createdAt)" }
                    ?? "none",
            ]
            let body = try JSONSerialization.data(withJSONObject: health, options: [.sortedKeys])
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        let logger = logger
        let application = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "zmface-metrics"),
            onServerRunning: { channel in
                logger.info("metrics listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            }, logger: logger)
        // run(), not runService(): the latter wraps the app in a service group of its own that
        // traps SIGTERM/SIGINT too, competing with the server's signal handling (a SIGTERM could
        // stop only the metrics endpoint and leave the server running).
        try await application.run()
    }

    /// Copies pool and zerorpc state into gauges just before each scrape.
    private static func sample(pool: RecognitionPool, server: ZeroRPCServer, classifier: ReloadableClassifier?) async {
        Telemetry.poolSampled(
            workers: await pool.workerCount, busyWorkers: await pool.busyWorkers, queuedJobs: await pool.queuedJobs,
            shedTotal: await pool.shedCount)
        let statistics = server.statistics
        Telemetry.zerorpcSampled(
            .init(
                requests: statistics.requests, succeeded: statistics.succeeded, failed: statistics.failed,
                dropped: statistics.dropped, inFlight: statistics.inFlight, heartbeatsSent: statistics.heartbeatsSent,
                curveAllowed: statistics.curveClientsAllowed, curveDenied: statistics.curveClientsDenied))
        if let model = classifier?.classifier.model {
            Telemetry.classifierLoaded(
                kind: model.kind.rawValue, created: model.createdAt, classes: model.classes.count)
        }
    }
}
