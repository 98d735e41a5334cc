/// One message to publish. A retained message is the topic's state (the broker keeps the last one
/// for new subscribers); the client keeps it too, to publish it again after every reconnection.
public struct MQTTMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var retain: Bool

    public init(topic: String, payload: [UInt8], retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.retain = retain
    }

    public init(topic: String, text: String, retain: Bool) {
        self.init(topic: topic, payload: Array(text.utf8), retain: retain)
    }
}

/// The client's running totals.
public struct MQTTStatistics: Sendable, Equatable {
    /// Messages handed to the broker's connection.
    public var sent = 0
    /// Messages the broker acknowledged (QoS 1 and 2).
    public var acknowledged = 0
    /// Messages lost: the outbox was full, the broker refused one, or the server stopped first.
    public var dropped = 0
    /// Messages waiting now.
    public var queued = 0
    public var connected = false
    /// Connection attempts that failed or were refused, and connections lost.
    public var connectionFailures = 0

    public init() {}
}
