import Foundation
import ZMFaceCore

/// An optional encoded as JSON `null` instead of being left out (synthesized `Encodable` drops
/// nil optionals), so every message of a topic has the same keys.
struct Nullable<Wrapped: Encodable & Sendable>: Encodable, Sendable {
    var value: Wrapped?

    init(_ value: Wrapped?) {
        self.value = value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

/// The JSON bodies of the PUB topics. Every message also carries the envelope fields `server`,
/// `session`, `seq` (consecutive per session) and `type`; see the README's "PUB topics".
struct FaceMessage: Encodable, Sendable {
    var monitor: Int
    var event: Int64
    var frame: Int
    var face: Int
    var time: Double
    var name: Nullable<String>
    var person: String
    var status: String
    var probability: Nullable<Double>
    var distance: Nullable<Double>
    var margin: Nullable<Double>
    var focus: Nullable<Double>
    var box: [Int]
    var model: String
}

struct PersonSummaryMessage: Encodable, Sendable {
    var person: String
    var name: Nullable<String>
    var firstSeen: Double
    var lastSeen: Double
    var framesSeen: Int
    var bestFrame: Int
    var bestBox: [Int]
    var maxProbability: Nullable<Double>
    var meanProbability: Nullable<Double>
    /// The event's decision for a named person (null for unknown faces).
    var seen: Nullable<Bool>
    var seenConfidence: Nullable<Double>
}

/// A person the event's decision says was seen.
struct SeenMessage: Encodable, Sendable {
    var name: String
    var confidence: Double
    var frames: Int
}

struct EventMessage: Encodable, Sendable {
    var monitor: Int
    var monitorName: String
    var event: Int64
    var cause: String
    var start: Double
    var end: Nullable<Double>
    var outcome: String
    var reason: Nullable<String>
    var framesSelected: Int
    var faces: Int
    /// Who was seen in the event as a whole, most confident first.
    var seen: [SeenMessage]
    var people: [PersonSummaryMessage]
    var model: String
}

/// A snapshot for the `status` topic, filled in by the server.
public struct StatusReport: Encodable, Sendable {
    public var uptimeSeconds: Double
    public var workers: Int
    public var busyWorkers: Int
    public var queuedJobs: Int
    public var newestHandledEvent: Int64?
    public var model: String

    public init(
        uptimeSeconds: Double, workers: Int, busyWorkers: Int, queuedJobs: Int, newestHandledEvent: Int64?,
        model: String
    ) {
        self.uptimeSeconds = uptimeSeconds
        self.workers = workers
        self.busyWorkers = busyWorkers
        self.queuedJobs = queuedJobs
        self.newestHandledEvent = newestHandledEvent
        self.model = model
    }
}

/// Adds the envelope fields to a body, in the same JSON object.
struct Envelope<Body: Encodable>: Encodable {
    var server: String
    var session: String
    var seq: UInt64
    var type: String
    var body: Body

    private enum CodingKeys: String, CodingKey {
        case server, session, seq, type
    }

    func encode(to encoder: any Encoder) throws {
        try body.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(server, forKey: .server)
        try container.encode(session, forKey: .session)
        try container.encode(seq, forKey: .seq)
        try container.encode(type, forKey: .type)
    }
}

enum MessageBuilder {
    static func faces(of results: EventResults) -> [(topic: String, body: FaceMessage)] {
        results.frames.flatMap { frame in
            frame.faces.map { face in
                (
                    "face/\(results.event.monitorID)/\(face.name ?? "unknown")",
                    FaceMessage(
                        monitor: results.event.monitorID, event: results.event.id, frame: frame.frameID,
                        face: face.index,
                        time: frame.time.timeIntervalSince1970, name: Nullable(face.name), person: face.person,
                        status: face.status.rawValue, probability: face.probability.finite,
                        distance: face.distance.finite,
                        margin: face.margin.finite, focus: face.focus.finite,
                        box: [face.box.top, face.box.right, face.box.bottom, face.box.left], model: results.modelVersion
                    )
                )
            }
        }
    }

    static func event(of results: EventResults) -> (topic: String, body: EventMessage) {
        let event = results.event
        let people = results.summaries.map { summary in
            PersonSummaryMessage(
                person: summary.person, name: Nullable(summary.name),
                firstSeen: summary.firstSeen.timeIntervalSince1970,
                lastSeen: summary.lastSeen.timeIntervalSince1970, framesSeen: summary.framesSeen,
                bestFrame: summary.bestFrame,
                bestBox: [summary.bestBox.top, summary.bestBox.right, summary.bestBox.bottom, summary.bestBox.left],
                maxProbability: summary.maxProbability.finite, meanProbability: summary.meanProbability.finite,
                seen: Nullable(summary.decision?.seen), seenConfidence: summary.decision.map(\.confidence).finite)
        }
        let seen = results.summaries.compactMap { summary -> SeenMessage? in
            guard let name = summary.name, let decision = summary.decision, decision.seen else { return nil }
            return SeenMessage(name: name, confidence: decision.confidence, frames: decision.agreeingFrames)
        }.sorted { $0.confidence > $1.confidence }
        return (
            "event/\(event.monitorID)/\(event.id)",
            EventMessage(
                monitor: event.monitorID, monitorName: event.monitorName, event: event.id, cause: event.cause,
                start: event.start.timeIntervalSince1970, end: Nullable(event.end?.timeIntervalSince1970),
                outcome: results.outcome.name, reason: Nullable(results.outcome.reason),
                framesSelected: results.frames.count,
                faces: results.faceCount, seen: seen, people: people, model: results.modelVersion)
        )
    }
}

extension Optional where Wrapped == Double {
    /// JSON has no NaN or infinity: such a score is published as null (PostgreSQL keeps the value).
    fileprivate var finite: Nullable<Double> {
        guard let value = self, value.isFinite else { return Nullable(nil) }
        return Nullable(value)
    }
}
