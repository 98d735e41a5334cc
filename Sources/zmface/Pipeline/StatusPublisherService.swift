import Foundation
import Logging
import Recognition
import ServiceLifecycle
import Sink
import Workers

/// Publishes the `status` topic every few seconds, so subscribers can tell a quiet server from a
/// dead one.
struct StatusPublisherService: Service {
    let publisher: ResultPublisher
    let interval: Duration
    let pool: RecognitionPool
    let store: ResultStore?
    let classifier: ReloadableClassifier?

    /// The `status` publisher, when a PUB socket is configured and `publish.statusSeconds` > 0.
    static func configured(
        _ settings: PublishConfiguration, publisher: ResultPublisher?, pool: RecognitionPool, store: ResultStore?,
        classifier: ReloadableClassifier?
    ) -> StatusPublisherService? {
        guard let publisher, settings.statusSeconds > 0 else { return nil }
        return StatusPublisherService(
            publisher: publisher, interval: .milliseconds(Int(settings.statusSeconds * 1000)), pool: pool,
            store: store, classifier: classifier)
    }

    func run() async throws {
        let started = ContinuousClock.now
        await repeatUntilShutdown(every: interval) {
            let uptime = ContinuousClock.now - started
            let newestHandled = try? await store?.newestHandledEvent()
            await publisher.publishStatus(
                StatusReport(
                    uptimeSeconds: Double(uptime.components.seconds), workers: await pool.workerCount,
                    busyWorkers: await pool.busyWorkers, queuedJobs: await pool.queuedJobs,
                    newestHandledEvent: newestHandled ?? nil, model: classifier?.modelVersion ?? "none"))
        }
    }
}
