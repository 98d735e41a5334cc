import Foundation
import MQTT
import Testing
import ZMFaceCore

@testable import Sink

/// What zmface publishes to MQTT for an event, a model and the clock: topics, payloads, Home
/// Assistant discovery, and presence that turns off after its timeout.
@Suite("MQTT announcements")
struct MQTTAnnouncementsTests {
    let settings = MQTTPublishingSettings(
        topics: MQTTTopics(prefix: "zmface", discoveryPrefix: "homeassistant", serverID: "nvr 1"), serverID: "nvr 1",
        qos: 1, presenceTimeout: .seconds(600))
    let eventStart = Date(timeIntervalSince1970: 1_764_550_000)

    func face(_ name: String?, at: Float, cluster: String? = nil) -> FaceResult {
        FaceResult(
            index: 0, box: FaceBox(top: 0, right: 120, bottom: 120, left: 0), confidence: 1, focus: 300,
            encoding: FaceEncoding([at] + Array(repeating: 0, count: 127)), name: name,
            probability: name == nil ? 0.3 : 0.95, distance: 0.35, margin: 0.3,
            status: name == nil ? .unknown : .recognized,
            cluster: cluster)
    }

    /// An event on monitor 3 whose frames (one a second) show these faces, each its own frame.
    func results(id: Int64 = 41, monitorName: String = "Gate", _ faces: [FaceResult], startingAt offset: Double = 0)
        -> EventResults
    {
        let start = eventStart.addingTimeInterval(offset)
        return EventResults(
            event: EventInfo(
                id: id, monitorID: 3, monitorName: monitorName, cause: "Forced Web", start: start,
                end: start.addingTimeInterval(Double(faces.count)), frameCount: faces.count),
            outcome: .processed,
            frames: faces.enumerated().map { index, face in
                FrameResult(
                    frameID: index + 1, time: start.addingTimeInterval(Double(index)), score: 255, faces: [face])
            }, modelVersion: "svm-abc", lowWatermark: id)
    }

    func object(_ message: MQTTMessage) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any])
    }

    func byTopic(_ messages: [MQTTMessage]) -> [String: MQTTMessage] {
        Dictionary(messages.map { ($0.topic, $0) }, uniquingKeysWith: { $1 })
    }

    @Test("Names become topic levels and object ids: safe ones as they are, others made safe and kept apart")
    func slugs() {
        #expect(MQTTTopics.slug("obama") == "obama")
        let hostile = MQTTTopics.slug("Bíden'); DROP TABLE detections;--")
        #expect(hostile.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        #expect(hostile.hasPrefix("b_den__"))
        let names = ["Bob", "bob!", "Bíden", "Biden", "a/b", "a+b", "a#b", ""]
        #expect(Set(names.map(MQTTTopics.slug)).count == names.count)
        #expect(MQTTTopics.slug("Bob") == MQTTTopics.slug("Bob"), "stable, so retained topics survive restarts")
        #expect(MQTTTopics(prefix: "z", discoveryPrefix: "ha", serverID: "nvr 1").nodeID.hasPrefix("zmface_nvr_1_"))
    }

    @Test("The model's names get presence entities before any sighting, OFF; a dropped name loses its entity")
    func modelNames() throws {
        var announcements = MQTTAnnouncements(settings: settings)
        let first = byTopic(announcements.modelKnows(["obama", "Bíden"]))
        let config = try #require(
            first["homeassistant/binary_sensor/\(settings.topics.nodeID)/person_obama_presence/config"])
        let body = try object(config)
        for key in ["name", "unique_id", "state_topic", "device", "availability"] {
            #expect(body[key] != nil, "Home Assistant requires \(key)")
        }
        #expect(body["name"] as? String == "obama" && body["device_class"] as? String == "presence")
        #expect(body["state_topic"] as? String == "zmface/person/obama/presence")
        #expect(body["json_attributes_topic"] as? String == "zmface/person/obama/last_seen")
        #expect(config.retain)
        #expect(first["zmface/person/obama/presence"]?.payload == Array("OFF".utf8))
        #expect(first.count == 4, "a config and a state per person")
        #expect(announcements.modelKnows(["obama", "Bíden"]).isEmpty, "a reload with the same names repeats nothing")
        let reload = announcements.modelKnows(["obama", "carol"])
        let removed = try #require(reload.first { $0.payload.isEmpty })
        #expect(
            removed.topic.contains("/binary_sensor/") && removed.retain && removed.topic.hasSuffix("_presence/config"))
        #expect(reload.contains { $0.topic == "zmface/person/carol/presence" })
    }

    @Test("An event: its decision, the camera's entities once, last seen, presence ON, last recognized")
    func eventMessages() throws {
        var announcements = MQTTAnnouncements(settings: settings)
        _ = announcements.modelKnows(["obama"])
        let event = results([face("obama", at: 0), face("obama", at: 0.01), face("obama", at: 0.02)])
        let messages = announcements.messages(for: event, now: eventStart.addingTimeInterval(10))
        let topics = byTopic(messages)
        let decision = try object(try #require(topics["zmface/event/3/41"]))
        #expect(topics["zmface/event/3/41"]?.retain == false)
        #expect(decision["monitorName"] as? String == "Gate" && decision["event"] as? Int == 41)
        let seen = try #require(decision["seen"] as? [[String: Any]])
        #expect(seen.count == 1 && seen[0]["name"] as? String == "obama")
        let lastSeen = try object(try #require(topics["zmface/person/obama/last_seen"]))
        #expect(lastSeen["event"] as? Int == 41 && lastSeen["camera"] as? String == "Gate")
        #expect(lastSeen["time"] as? Double == eventStart.timeIntervalSince1970 + 2, "the last frame showing them")
        #expect(lastSeen["timestamp"] as? String == "2025-12-01T00:46:42.000Z")
        #expect(topics["zmface/person/obama/presence"]?.payload == Array("ON".utf8))
        let recognized = try object(try #require(topics["zmface/camera/3/last_recognized"]))
        #expect(recognized["name"] as? String == "obama" && recognized["names"] as? [String] == ["obama"])
        let cameraConfigs = messages.filter { $0.topic.hasPrefix("homeassistant/") }
        #expect(cameraConfigs.count == 2 && cameraConfigs.allSatisfy(\.retain))
        let sensor = try object(try #require(cameraConfigs.first { $0.topic.contains("/sensor/") }))
        #expect(sensor["state_topic"] as? String == "zmface/camera/3/last_recognized")
        #expect((sensor["device"] as? [String: Any])?["via_device"] as? String == settings.topics.nodeID)
        let unknownEntity = try object(try #require(cameraConfigs.first { $0.topic.contains("/event/") }))
        #expect(unknownEntity["event_types"] as? [String] == ["unknown_face"])
        #expect(topics["zmface/camera/3/unknown"] == nil, "no stranger in this event")

        // The next event of the same camera: no second config, presence already ON.
        let next = announcements.messages(
            for: results(id: 42, [face("obama", at: 0), face("obama", at: 0)], startingAt: 60),
            now: eventStart.addingTimeInterval(70))
        #expect(!next.contains { $0.topic.hasPrefix("homeassistant/") || $0.topic.hasSuffix("/presence") })
        #expect(next.contains { $0.topic == "zmface/person/obama/last_seen" })
    }

    @Test("Presence turns OFF once the timeout has passed since the last sighting, not before")
    func presenceTimeout() {
        var announcements = MQTTAnnouncements(settings: settings)
        _ = announcements.messages(for: results([face("obama", at: 0), face("obama", at: 0)]), now: eventStart)
        let lastSighting = eventStart.addingTimeInterval(1)
        #expect(announcements.nextExpiry == lastSighting.addingTimeInterval(600))
        #expect(announcements.expirePresence(now: lastSighting.addingTimeInterval(599)).isEmpty)
        let off = announcements.expirePresence(now: lastSighting.addingTimeInterval(600))
        #expect(off == [MQTTMessage(topic: "zmface/person/obama/presence", text: "OFF", retain: true)])
        #expect(announcements.nextExpiry == nil)
        #expect(announcements.expirePresence(now: lastSighting.addingTimeInterval(9999)).isEmpty, "OFF once")
    }

    @Test("Old events (a backfill) update nothing that is news: no presence, no unknown face, no older last seen")
    func oldEvents() {
        var announcements = MQTTAnnouncements(settings: settings)
        let newer = results(id: 50, [face("obama", at: 0), face("obama", at: 0)], startingAt: 3600)
        _ = announcements.messages(for: newer, now: eventStart.addingTimeInterval(3610))
        let old = results(id: 10, [face("obama", at: 0), face("obama", at: 0), face(nil, at: 5, cluster: "unknown-1")])
        let topics = Set(announcements.messages(for: old, now: eventStart.addingTimeInterval(3610)).map(\.topic))
        #expect(topics == ["zmface/event/3/10"])
    }

    @Test("Unknown faces of a recent event fire the camera's unknown_face event with their clusters")
    func unknownFaces() throws {
        var announcements = MQTTAnnouncements(settings: settings)
        let event = results([face(nil, at: 5, cluster: "unknown-1"), face(nil, at: 9, cluster: "unknown-2")])
        let topics = byTopic(announcements.messages(for: event, now: eventStart.addingTimeInterval(5)))
        let unknown = try #require(topics["zmface/camera/3/unknown"])
        #expect(!unknown.retain)
        let body = try object(unknown)
        #expect(
            body["event_type"] as? String == "unknown_face"
                && body["unknownPeople"] as? [String] == ["unknown-1", "unknown-2"])
        #expect(topics["zmface/camera/3/last_recognized"] == nil && !topics.keys.contains { $0.hasSuffix("/presence") })
    }

    @Test("Cameras ZoneMinder lists get their entities at start, and their first event repeats none")
    func camerasAtStart() {
        var announcements = MQTTAnnouncements(settings: settings)
        let listed = announcements.camerasKnown([3: "Gate", 7: "Porch"])
        #expect(listed.count == 4 && listed.allSatisfy { $0.retain && $0.topic.hasSuffix("/config") })
        #expect(listed.contains { $0.topic.contains("/sensor/") && $0.topic.contains("camera_7_") })
        let first = announcements.messages(for: results([face("obama", at: 0)]), now: eventStart)
        #expect(!first.contains { $0.topic.hasPrefix("homeassistant/") && $0.topic.contains("camera_3_") })
    }

    @Test("A renamed camera gets its configs again with the new name; discovery off publishes none")
    func cameraRenameAndDiscoveryOff() throws {
        var announcements = MQTTAnnouncements(settings: settings)
        _ = announcements.messages(for: results([face("obama", at: 0)]), now: eventStart)
        let renamed = announcements.messages(
            for: results(id: 42, monitorName: "Front gate", [face(nil, at: 3)]), now: eventStart)
        let sensor = try object(try #require(renamed.first { $0.topic.contains("/sensor/") }))
        #expect((sensor["device"] as? [String: Any])?["name"] as? String == "Front gate (zmface)")

        var quiet = settings
        quiet.discovery = false
        var plain = MQTTAnnouncements(settings: quiet)
        let messages =
            plain.modelKnows(["obama"]) + plain.messages(for: results([face("obama", at: 0)]), now: eventStart)
        #expect(!messages.contains { $0.topic.hasPrefix("homeassistant/") })
        #expect(messages.contains { $0.topic == "zmface/person/obama/presence" })
    }
}
