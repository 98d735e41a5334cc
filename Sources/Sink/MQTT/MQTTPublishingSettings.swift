/// What the MQTT side publishes besides the connection: topic names, QoS and the presence timeout.
public struct MQTTPublishingSettings: Sendable, Equatable {
    public var topics: MQTTTopics
    public var serverID: String
    public var qos: Int
    public var presenceTimeout: Duration
    /// Home Assistant discovery configs (off: only zmface's own topics).
    public var discovery: Bool

    public init(topics: MQTTTopics, serverID: String, qos: Int, presenceTimeout: Duration, discovery: Bool = true) {
        self.topics = topics
        self.serverID = serverID
        self.qos = qos
        self.presenceTimeout = presenceTimeout
        self.discovery = discovery
    }
}
