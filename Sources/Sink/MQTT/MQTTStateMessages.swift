import Foundation
import ZMFaceCore

/// The JSON bodies of zmface's own MQTT topics beside the event decision (which is the PUB
/// socket's `EventMessage`). Times are seconds since 1970 (`time`, as on the PUB socket) and ISO
/// 8601 (`timestamp`, what Home Assistant's templates and timestamp sensors read).

/// `person/<slug>/last_seen` (retained): where and when a person was last seen.
struct LastSeenMessage: Codable, Sendable, Equatable {
    var name: String
    var monitor: Int
    var camera: String
    var event: Int64
    var time: Double
    var timestamp: String
    var confidence: Double
}

/// `camera/<monitor>/last_recognized` (retained): who the camera's latest event with a named
/// person showed, most confident first.
struct LastRecognizedMessage: Codable, Sendable, Equatable {
    var name: String
    var names: [String]
    var confidence: Double
    var monitor: Int
    var camera: String
    var event: Int64
    var time: Double
    var timestamp: String
}

/// `camera/<monitor>/unknown`: an event showed faces the model does not know. `event_type` is what
/// Home Assistant's MQTT event entity expects.
struct UnknownFaceMessage: Codable, Sendable, Equatable {
    var event_type = "unknown_face"
    var monitor: Int
    var camera: String
    var event: Int64
    var time: Double
    var timestamp: String
    /// Different unknown faces in the event (its unknown clusters: `unknown-1`, …).
    var unknownPeople: [String]
}

/// A person the event's decision says was seen, with when (the last frame showing them).
struct Sighting: Sendable, Equatable {
    var name: String
    var confidence: Double
    var time: Date
}

extension EventResults {
    /// The people seen in the event as a whole (`EventDecision.seen`), most confident first.
    var sightings: [Sighting] {
        summaries.compactMap { summary -> Sighting? in
            guard let name = summary.name, let decision = summary.decision, decision.seen else { return nil }
            return Sighting(name: name, confidence: decision.confidence, time: summary.lastSeen)
        }.sorted { $0.confidence > $1.confidence }
    }

    /// Unknown faces that reached the classifier (gated faces are not strangers, only unseen).
    var unknownPeople: [EventSummary] { summaries.filter { $0.name == nil } }
}

enum MQTTTime {
    /// ISO 8601 in UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
