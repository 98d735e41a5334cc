/// Where and how the client connects: the broker, its TLS trust, the login, and the availability
/// topic the broker announces for us (`online` once connected, the last will `offline` when the
/// connection dies without a goodbye).
public struct MQTTClientSettings: Sendable, Equatable {
    public var broker: MQTTBrokerAddress
    /// PEM file of the CAs that may sign the broker's certificate (`mqtts://` only); nil trusts the
    /// system's CAs (/etc/ssl/certs).
    public var caFile: String?
    public var username: String?
    public var password: String?
    public var clientID: String
    /// 0, 1 or 2, for every message.
    public var qos: Int32
    public var keepAliveSeconds: Int32 = 30
    /// Messages (not counting retained state, which is kept per topic) waiting while the broker is
    /// away; beyond it the oldest is dropped and counted.
    public var outboxCapacity: Int
    /// Messages handed to libmosquitto but not yet acknowledged by the broker (QoS 1 and 2).
    public var maxInFlight = 100
    /// Retained `online` after every connection, the last will `offline`.
    public var availabilityTopic: String
    /// A topic whose message `payload` asks for every retained message again (Home Assistant's
    /// birth message `homeassistant/status` = `online` after it restarts).
    public var resendTrigger: (topic: String, payload: String)?
    /// How long `stop()` waits for the outbox to drain into a connected broker.
    public var drainSeconds = 5.0

    public init(
        broker: MQTTBrokerAddress, caFile: String? = nil, username: String? = nil, password: String? = nil,
        clientID: String, qos: Int32 = 1, outboxCapacity: Int = 10_000, availabilityTopic: String,
        resendTrigger: (topic: String, payload: String)? = nil
    ) {
        self.broker = broker
        self.caFile = caFile
        self.username = username
        self.password = password
        self.clientID = clientID
        self.qos = qos
        self.outboxCapacity = outboxCapacity
        self.availabilityTopic = availabilityTopic
        self.resendTrigger = resendTrigger
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.broker == rhs.broker && lhs.caFile == rhs.caFile && lhs.username == rhs.username
            && lhs.password == rhs.password && lhs.clientID == rhs.clientID && lhs.qos == rhs.qos
            && lhs.keepAliveSeconds == rhs.keepAliveSeconds && lhs.outboxCapacity == rhs.outboxCapacity
            && lhs.maxInFlight == rhs.maxInFlight && lhs.availabilityTopic == rhs.availabilityTopic
            && lhs.resendTrigger?.topic == rhs.resendTrigger?.topic
            && lhs.resendTrigger?.payload == rhs.resendTrigger?.payload && lhs.drainSeconds == rhs.drainSeconds
    }
}
