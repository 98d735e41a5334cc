import Foundation
import MQTT

/// worker.json's `mqtt` section (off when absent): the broker, the login and what is published.
struct MQTTConfiguration: Equatable {
    var broker: MQTTBrokerAddress
    var caFile: String?
    var username: String?
    /// From `password`, or read from `passwordFile` when the configuration is loaded.
    var password: String?
    /// Default `zmface-<server id>`.
    var clientID: String?
    var topicPrefix = "zmface"
    var discoveryPrefix = "homeassistant"
    var discovery = true
    var qos = 1
    var presenceTimeoutSeconds = 600.0
    var outboxCapacity = 10_000

    /// The client's settings; `serverID` names the client when `clientId` is not set.
    func clientSettings(serverID: String) -> MQTTClientSettings {
        MQTTClientSettings(
            broker: broker, caFile: caFile, username: username, password: password,
            clientID: clientID ?? "zmface-\(serverID)", qos: Int32(qos), outboxCapacity: outboxCapacity,
            availabilityTopic: "\(topicPrefix)/availability",
            resendTrigger: discovery ? (topic: "\(discoveryPrefix)/status", payload: "online") : nil)
    }
}

extension ServerConfiguration {
    /// Reads `mqtt`; every field is read before any is checked, so an unknown field is always
    /// reported as such.
    mutating func readMQTTSection(_ root: inout JSONFields) throws(ConfigurationError) {
        guard var mqttSection = try root.object("mqtt") else { return }
        let url = try mqttSection.string("url")
        let caFile = try mqttSection.string("caFile")
        let username = try mqttSection.string("username")
        let password = try mqttSection.string("password")
        let passwordFile = try mqttSection.string("passwordFile")
        let clientID = try mqttSection.string("clientId")
        let topicPrefix = try mqttSection.string("topicPrefix") ?? "zmface"
        let discoveryPrefix = try mqttSection.string("discoveryPrefix") ?? "homeassistant"
        let discovery = try mqttSection.bool("discovery", default: true)
        let qos = try mqttSection.int("qos", default: 1, in: 0...2)
        let presence = try mqttSection.double("presenceTimeoutSeconds", default: 600, in: 1...(7 * 86400))
        let outbox = try mqttSection.int("outboxCapacity", default: 10_000, in: 1...10_000_000)
        try mqttSection.rejectUnknownFields()

        guard let url else { throw .invalid("mqtt.url", "is required: mqtt://host:port or mqtts://host:port") }
        var settings: MQTTConfiguration
        do {
            settings = MQTTConfiguration(broker: try MQTTBrokerAddress(url: url))
        } catch {
            throw .invalid("mqtt.url", "\(error)")
        }
        if caFile != nil, !settings.broker.tls {
            throw .invalid("mqtt.caFile", "needs an mqtts:// url (mqtt:// is not encrypted)")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw .invalid("mqtt.caFile", "cannot read \(caFile)")
        }
        if password != nil, passwordFile != nil {
            throw .invalid("mqtt.passwordFile", "and mqtt.password cannot both be set")
        }
        if password != nil || passwordFile != nil, username == nil {
            throw .invalid("mqtt.username", "is required with a password")
        }
        settings.password = password
        if let passwordFile {
            do {
                // One line; the newline an editor adds is not part of the password.
                let text = try String(contentsOfFile: passwordFile, encoding: .utf8)
                settings.password = String(text.prefix { $0 != "\n" && $0 != "\r" })
            } catch {
                throw .invalid(
                    "mqtt.passwordFile", "cannot read \(passwordFile): \((error as NSError).localizedDescription)")
            }
        }
        for (field, prefix) in [("topicPrefix", topicPrefix), ("discoveryPrefix", discoveryPrefix)] {
            guard !prefix.isEmpty, !prefix.hasPrefix("/"), !prefix.hasSuffix("/"),
                !prefix.contains("+"), !prefix.contains("#")
            else {
                throw .invalid("mqtt.\(field)", "must be a topic without + or # and without a leading or trailing /")
            }
        }
        if let clientID, clientID.isEmpty || clientID.utf8.count > 65535 {
            throw .invalid("mqtt.clientId", "must not be empty")
        }
        settings.caFile = caFile
        settings.username = username
        settings.clientID = clientID
        settings.topicPrefix = topicPrefix
        settings.discoveryPrefix = discoveryPrefix
        settings.discovery = discovery
        settings.qos = qos
        settings.presenceTimeoutSeconds = presence
        settings.outboxCapacity = outbox
        mqtt = settings
    }
}
