import Logging
import ServiceLifecycle
import Sink
import ZMFaceCore

/// Deletes expired face crops every `faces.retention.intervalSeconds` (see `CropRetention`); a
/// failed run is logged, counted and tried again at the next turn.
struct CropRetentionService: Service {
    let retention: CropRetention
    let policy: CropRetentionPolicy
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await retention.migrate()  // a failure is reported by the run below
        await repeatUntilShutdown(every: interval) {
            do {
                let expired = try await retention.run(policy)
                Telemetry.cropsExpired(expired)
                if expired > 0 { logger.info("face crops expired", metadata: ["crops": "\(expired)"]) }
            } catch {
                Telemetry.cropsExpired(0, failed: true)
                logger.warning("face crop retention failed; trying again later", metadata: ["error": "\(error)"])
            }
        }
        retention.close()
    }
}
