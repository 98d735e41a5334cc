import Foundation
import MQTT
import ZMFaceCore

/// What zmface tells MQTT, as messages: the event decision, each person's last sighting and
/// presence, each camera's last recognized face and unknown faces, and the Home Assistant discovery
/// that turns them into entities. It remembers what it has announced (entities, latest sightings),
/// so state only moves forward and each entity is configured once.
struct MQTTAnnouncements: Sendable {
    private let settings: MQTTPublishingSettings
    private let discovery: HomeAssistantDiscovery
    private var presence: PresenceTracker
    /// People and cameras whose discovery config has been published (camera: its name then).
    private var people: Set<String> = []
    private var cameras: [Int: String] = [:]
    private var lastRecognized: [Int: Date] = [:]

    init(settings: MQTTPublishingSettings) {
        self.settings = settings
        self.discovery = HomeAssistantDiscovery(topics: settings.topics, serverID: settings.serverID)
        self.presence = PresenceTracker(timeout: settings.presenceTimeout)
    }

    /// The names the classifier knows (at start and after every reload): each gets its presence
    /// entity now, before a first sighting, starting `OFF` (after a restart nobody is known to be
    /// there); a name the model no longer knows has its entity removed (an empty retained config).
    mutating func modelKnows(_ names: [String]) -> [MQTTMessage] {
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
        return messages
    }

    /// `OFF` for everyone whose presence timeout has run out by `now`.
    mutating func expirePresence(now: Date) -> [MQTTMessage] {
        presence.expire(now: now).map { presenceState($0, on: false) }
    }

    /// When someone's presence runs out next.
    var nextExpiry: Date? { presence.nextExpiry }

    /// Everything one event's results change, dated against `current` (presence and unknown faces
    /// are news only for recent sightings).
    mutating func messages(for results: EventResults, now current: Date) -> [MQTTMessage] {
        let event = results.event
        var messages = [
            json(
                settings.topics.event(monitor: event.monitorID, event: event.id),
                MessageBuilder.event(of: results).body, retain: false)
        ]
        messages += cameraAppears(event.monitorID, name: event.monitorName)
        let sightings = results.sightings
        for sighting in sightings {
            if !people.contains(sighting.name) { messages += personAppears(sighting.name) }
            // Not older than the last: a tie goes to the event handled later.
            if presence.lastSeen(sighting.name).map({ sighting.time >= $0 }) ?? true {
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
            lastRecognized[event.monitorID].map({ time >= $0 }) ?? true
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

    /// The cameras ZoneMinder lists (at start): their entities before their first event.
    mutating func camerasKnown(_ monitors: [Int: String]) -> [MQTTMessage] {
        monitors.keys.sorted().flatMap { cameraAppears($0, name: monitors[$0]!) }
    }

    /// A camera's discovery configs, when it is new or its name changed.
    private mutating func cameraAppears(_ monitor: Int, name: String) -> [MQTTMessage] {
        guard settings.discovery, cameras[monitor] != name else { return [] }
        cameras[monitor] = name
        return [
            discovery.lastRecognized(monitor: monitor, camera: name, qos: settings.qos),
            discovery.unknownFace(monitor: monitor, camera: name, qos: settings.qos),
        ].map { json($0.topic, $0.config, retain: true) }
    }

    /// A person's discovery config and current presence state.
    private mutating func personAppears(_ name: String) -> [MQTTMessage] {
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
