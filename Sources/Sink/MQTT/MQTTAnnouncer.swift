import Foundation
public import MQTT
public import ZMFaceCore

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

/// Results to MQTT, after the commit like the PUB socket: the event decision, each person's last
/// sighting and presence, each camera's last recognized face and unknown faces, and the Home
/// Assistant discovery that turns them into entities. Turning this into messages is all it does;
/// queueing, connecting and sending are the `MQTTClient`'s, which never makes it wait.
public actor MQTTAnnouncer: ResultAnnouncer {
    private let client: MQTTClient
    private let settings: MQTTPublishingSettings
    private let discovery: HomeAssistantDiscovery
    private let now: @Sendable () -> Date
    private var presence: PresenceTracker
    /// People and cameras whose discovery config has been published (camera: its name then).
    private var people: Set<String> = []
    private var cameras: [Int: String] = [:]
    private var lastRecognized: [Int: Date] = [:]

    public init(client: MQTTClient, settings: MQTTPublishingSettings) {
        self.init(client: client, settings: settings, now: { Date() })
    }

    /// `now` is the clock presence is measured by (tests give their own).
    init(client: MQTTClient, settings: MQTTPublishingSettings, now: @escaping @Sendable () -> Date) {
        self.client = client
        self.settings = settings
        self.discovery = HomeAssistantDiscovery(topics: settings.topics, serverID: settings.serverID)
        self.now = now
        self.presence = PresenceTracker(timeout: settings.presenceTimeout)
    }

    public func announce(_ results: EventResults) async {
        client.publish(messages(for: results))
    }

    /// The names the classifier knows (at start and after every reload): each gets its presence
    /// entity now, before a first sighting, starting `OFF` (after a restart nobody is known to be
    /// there); a name the model no longer knows has its entity removed (an empty retained config).
    public func modelKnows(_ names: [String]) {
        let known = Set(names)
        var messages: [MQTTMessage] = []
        for name in names.sorted() where !people.contains(name) {
            messages += personAppears(name)
        }
        for name in people.subtracting(known).sorted() {
            people.remove(name)
            if settings.discovery {
                messages.append(
                    MQTTMessage(
                        topic: discovery.presence(person: name, qos: settings.qos).topic, payload: [], retain: true))
            }
        }
        client.publish(messages)
    }

    /// Turns presence off when its timeout runs out; runs until cancelled.
    public func runPresenceTimer() async {
        while !Task.isCancelled {
            let wait = presence.nextExpiry.map { min(max($0.timeIntervalSince(now()), 0.05), 1) } ?? 1
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            expirePresence()
        }
    }

    /// Publishes `OFF` for everyone whose timeout has run out.
    func expirePresence() {
        let gone = presence.expire(now: now())
        client.publish(gone.map { presenceState($0, on: false) })
    }

    func messages(for results: EventResults) -> [MQTTMessage] {
        let event = results.event
        var messages = [
            json(
                settings.topics.event(monitor: event.monitorID, event: event.id),
                MessageBuilder.event(of: results).body, retain: false)
        ]
        if settings.discovery, cameras[event.monitorID] != event.monitorName {
            cameras[event.monitorID] = event.monitorName
            for (topic, config) in [
                discovery.lastRecognized(monitor: event.monitorID, camera: event.monitorName, qos: settings.qos),
                discovery.unknownFace(monitor: event.monitorID, camera: event.monitorName, qos: settings.qos),
            ] {
                messages.append(json(topic, config, retain: true))
            }
        }
        let current = now()
        let sightings = results.sightings
        for sighting in sightings {
            if !people.contains(sighting.name) { messages += personAppears(sighting.name) }
            if presence.lastSeen(sighting.name).map({ sighting.time > $0 }) ?? true {
                messages.append(
                    json(
                        settings.topics.lastSeen(person: sighting.name),
                        LastSeenMessage(
                            name: sighting.name, monitor: event.monitorID, camera: event.monitorName, event: event.id,
                            time: sighting.time.timeIntervalSince1970, timestamp: MQTTTime.timestamp(sighting.time),
                            confidence: sighting.confidence), retain: true))
            }
            if presence.sighted(sighting.name, at: sighting.time, now: current) {
                messages.append(presenceState(sighting.name, on: true))
            }
        }
        if let best = sightings.first, let time = sightings.map(\.time).max(),
            lastRecognized[event.monitorID].map({ time > $0 }) ?? true
        {
            lastRecognized[event.monitorID] = time
            messages.append(
                json(
                    settings.topics.lastRecognized(monitor: event.monitorID),
                    LastRecognizedMessage(
                        name: best.name, names: sightings.map(\.name), confidence: best.confidence,
                        monitor: event.monitorID, camera: event.monitorName, event: event.id,
                        time: time.timeIntervalSince1970, timestamp: MQTTTime.timestamp(time)), retain: true))
        }
        // Like presence, only recent strangers are news: a backfill of old events fires nothing.
        let unknown = results.unknownPeople
        if let time = unknown.map(\.lastSeen).max(), current.timeIntervalSince(time) < settings.presenceTimeout.seconds
        {
            messages.append(
                json(
                    settings.topics.unknownFace(monitor: event.monitorID),
                    UnknownFaceMessage(
                        monitor: event.monitorID, camera: event.monitorName, event: event.id,
                        time: time.timeIntervalSince1970, timestamp: MQTTTime.timestamp(time),
                        unknownPeople: unknown.map(\.person)), retain: false))
        }
        return messages
    }

    /// A person's discovery config and current presence state.
    private func personAppears(_ name: String) -> [MQTTMessage] {
        people.insert(name)
        var messages: [MQTTMessage] = []
        if settings.discovery {
            let (topic, config) = discovery.presence(person: name, qos: settings.qos)
            messages.append(json(topic, config, retain: true))
        }
        messages.append(presenceState(name, on: presence.isPresent(name)))
        return messages
    }

    private func presenceState(_ name: String, on: Bool) -> MQTTMessage {
        MQTTMessage(topic: settings.topics.presence(person: name), text: on ? "ON" : "OFF", retain: true)
    }

    private func json(_ topic: String, _ body: some Encodable, retain: Bool) -> MQTTMessage {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every body is plain data (strings, numbers, arrays); encoding cannot fail.
        let payload = (try? encoder.encode(body)).map(Array.init) ?? []
        return MQTTMessage(topic: topic, payload: payload, retain: retain)
    }
}
