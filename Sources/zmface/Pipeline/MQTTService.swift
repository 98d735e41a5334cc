import Ingest
import Logging
import Recognition
import ServiceLifecycle
import Sink

/// Runs the MQTT side's clock and follows the model: presence turned off when its timeout runs
/// out, and the entities of the names a reloaded model knows. When ingesting, the cameras
/// ZoneMinder lists get their entities at start (one try: a camera missed then appears with its
/// first event).
struct MQTTService: Service {
    let publishing: MQTTPublishing
    let classifier: ReloadableClassifier?
    let catalog: ZoneMinderCatalog?

    func run() async throws {
        let announcer = publishing.announcer
        if let catalog {
            do {
                await announcer.camerasKnown(try await catalog.monitorNames())
            } catch {
                publishing.logger.notice(
                    "ZoneMinder's monitors could not be listed; each camera appears in MQTT with its first event",
                    metadata: ["error": "\(error)"])
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await announcer.runPresenceTimer() }
            if let classifier {
                group.addTask {
                    for await names in classifier.reloadedPeople { await announcer.modelKnows(names) }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }
}
