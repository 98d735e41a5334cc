import Foundation
import Logging
import MQTT
import Recognition
import Sink

/// The MQTT side of a running server: its client and announcer, started when worker.json has an
/// `mqtt` section.
struct MQTTPublishing {
    let client: MQTTClient
    let announcer: MQTTAnnouncer
    let logger: Logger

    /// Starts the client (it connects in the background: a broker that is down delays nothing) and
    /// publishes the Home Assistant entities of every name the model knows.
    static func start(_ settings: ServerConfiguration, classifier: ReloadableClassifier?, logger: Logger) async throws
        -> MQTTPublishing?
    {
        guard let mqtt = settings.mqtt else { return nil }
        let serverID = settings.publish.serverID ?? ProcessInfo.processInfo.hostName
        let client = try await MQTTClient.start(
            mqtt.clientSettings(serverID: serverID), logger: Logger(label: "zmface.mqtt"))
        let announcer = MQTTAnnouncer(
            client: client,
            settings: MQTTPublishingSettings(
                topics: MQTTTopics(prefix: mqtt.topicPrefix, discoveryPrefix: mqtt.discoveryPrefix, serverID: serverID),
                serverID: serverID, qos: mqtt.qos,
                presenceTimeout: .milliseconds(Int(mqtt.presenceTimeoutSeconds * 1000)),
                discovery: mqtt.discovery))
        await announcer.modelKnows(classifier?.people ?? [])
        logger.info(
            "publishing results to MQTT",
            metadata: [
                "broker": "\(mqtt.broker)", "topicPrefix": "\(mqtt.topicPrefix)",
                "discoveryPrefix": "\(mqtt.discovery ? mqtt.discoveryPrefix : "off")",
            ])
        return MQTTPublishing(client: client, announcer: announcer, logger: logger)
    }

    /// Sends what is queued (see `MQTTClient.stop`) and logs the session's totals.
    func stop() async {
        await client.stop()
        let totals = client.statistics
        logger.info(
            "MQTT stopped",
            metadata: [
                "sent": "\(totals.sent)", "acknowledged": "\(totals.acknowledged)", "dropped": "\(totals.dropped)",
                "connectionFailures": "\(totals.connectionFailures)",
            ])
    }
}
