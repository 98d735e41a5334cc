import Logging
import ServiceLifecycle
import Sink
import ZMFaceCore

/// Clusters new unknown faces across events every `faces.cluster.intervalSeconds` (see
/// `FaceClusterStore.pass`). A failed pass (PostgreSQL down, a cluster deleted meanwhile) is
/// logged, counted and simply tried again at the next turn: nothing is lost, since faces stay
/// `NOT clustered` until a pass commits.
struct FaceClusteringService: Service {
    let store: FaceClusterStore
    let settings: FaceClusterSettings
    /// `faces.cluster.maxWaitDays` (nil: forever).
    let maxWait: Duration?
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var waiting: FaceClusterStore.Waiting = [:]
        var failing = false
        do {
            try await store.migrate()
        } catch {
            // The pass below reports it and keeps trying.
        }
        await repeatUntilShutdown(every: interval) {
            do {
                if let (report, stillWaiting) = try await store.pass(settings, waiting: waiting, maxWait: maxWait) {
                    waiting = stillWaiting
                    Telemetry.clusteringPass(
                        ok: true, joined: report.joined, formedFaces: report.formedFaces, formed: report.formedClusters,
                        waiting: report.waiting, expired: report.expired)
                    if report.joined + report.formedFaces + report.expired > 0 {
                        logger.info(
                            "unknown faces clustered",
                            metadata: [
                                "new": "\(report.newFaces)", "joined": "\(report.joined)",
                                "formed_clusters": "\(report.formedClusters)", "waiting": "\(report.waiting)",
                                "stopped_waiting": "\(report.expired)",
                            ])
                    }
                }
                if failing { logger.notice("face clustering works again") }
                failing = false
            } catch {
                Telemetry.clusteringPass(ok: false)
                if !failing { logger.warning("face clustering failed; trying again", metadata: ["error": "\(error)"]) }
                failing = true
            }
        }
        store.close()
    }
}
