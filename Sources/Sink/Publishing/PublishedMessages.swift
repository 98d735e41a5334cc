import Foundation
import ZMFaceCore

/// The messages encode every property, absent values as JSON `null` (synthesized Codable would
/// drop the key), so subscribers always see the same keys.
extension KeyedEncodingContainer {
    mutating func encodeNull<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
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
    var name: String?
    var person: String
    var status: String
    var probability: Double?
    var distance: Double?
    var margin: Double?
    var focus: Double?
    var box: [Int]
    var model: String

    private enum CodingKeys: String, CodingKey {
        case monitor, event, frame, face, time, name, person, status, probability, distance, margin, focus, box, model
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(monitor, forKey: .monitor)
        try c.encode(event, forKey: .event)
        try c.encode(frame, forKey: .frame)
        try c.encode(face, forKey: .face)
        try c.encode(time, forKey: .time)
        try c.encodeNull(name, forKey: .name)
        try c.encode(person, forKey: .person)
        try c.encode(status, forKey: .status)
        try c.encodeNull(probability, forKey: .probability)
        try c.encodeNull(distance, forKey: .distance)
        try c.encodeNull(margin, forKey: .margin)
        try c.encodeNull(focus, forKey: .focus)
        try c.encode(box, forKey: .box)
        try c.encode(model, forKey: .model)
    }
}

struct PersonSummaryMessage: Encodable, Sendable {
    var person: String
    var name: String?
    var firstSeen: Double
    var lastSeen: Double
    var framesSeen: Int
    var bestFrame: Int
    var bestBox: [Int]
    var maxProbability: Double?
    var meanProbability: Double?

    private enum CodingKeys: String, CodingKey {
        case person, name, firstSeen, lastSeen, framesSeen, bestFrame, bestBox, maxProbability, meanProbability
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(person, forKey: .person)
        try c.encodeNull(name, forKey: .name)
        try c.encode(firstSeen, forKey: .firstSeen)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encode(framesSeen, forKey: .framesSeen)
        try c.encode(bestFrame, forKey: .bestFrame)
        try c.encode(bestBox, forKey: .bestBox)
        try c.encodeNull(maxProbability, forKey: .maxProbability)
        try c.encodeNull(meanProbability, forKey: .meanProbability)
    }
}

struct EventMessage: Encodable, Sendable {
    var monitor: Int
    var monitorName: String
    var event: Int64
    var cause: String
    var start: Double
    var end: Double?
    var outcome: String
    var reason: String?
    var framesSelected: Int
    var faces: Int
    var provisional: Bool
    var people: [PersonSummaryMessage]
    var model: String

    private enum CodingKeys: String, CodingKey {
        case monitor, monitorName, event, cause, start, end, outcome, reason, framesSelected, faces, provisional
        case people, model
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(monitor, forKey: .monitor)
        try c.encode(monitorName, forKey: .monitorName)
        try c.encode(event, forKey: .event)
        try c.encode(cause, forKey: .cause)
        try c.encode(start, forKey: .start)
        try c.encodeNull(end, forKey: .end)
        try c.encode(outcome, forKey: .outcome)
        try c.encodeNull(reason, forKey: .reason)
        try c.encode(framesSelected, forKey: .framesSelected)
        try c.encode(faces, forKey: .faces)
        try c.encode(provisional, forKey: .provisional)
        try c.encode(people, forKey: .people)
        try c.encode(model, forKey: .model)
    }
}

/// A snapshot for the `status` topic, filled in by the server.
public struct StatusReport: Encodable, Sendable {
    public var uptimeSeconds: Double
    public var workers: Int
    public var busyWorkers: Int
    public var queuedJobs: Int
    public var newestEvent: Int64?
    public var newestHandledEvent: Int64?
    public var ingestLagSeconds: Double?
    public var model: String

    public init(
        uptimeSeconds: Double, workers: Int, busyWorkers: Int, queuedJobs: Int, newestEvent: Int64?,
        newestHandledEvent: Int64?, ingestLagSeconds: Double?, model: String
    ) {
        self.uptimeSeconds = uptimeSeconds
        self.workers = workers
        self.busyWorkers = busyWorkers
        self.queuedJobs = queuedJobs
        self.newestEvent = newestEvent
        self.newestHandledEvent = newestHandledEvent
        self.ingestLagSeconds = ingestLagSeconds
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
                        time: frame.time.timeIntervalSince1970, name: face.name, person: face.person,
                        status: face.status, probability: face.probability.finite, distance: face.distance.finite,
                        margin: face.margin.finite, focus: face.focus.finite,
                        box: [face.box.top, face.box.right, face.box.bottom, face.box.left], model: results.modelVersion
                    )
                )
            }
        }
    }

    static func event(of results: EventResults, provisional: Bool) -> (topic: String, body: EventMessage) {
        let event = results.event
        let people = EventSummary.summarize(results.frames).map { summary in
            PersonSummaryMessage(
                person: summary.person, name: summary.name, firstSeen: summary.firstSeen.timeIntervalSince1970,
                lastSeen: summary.lastSeen.timeIntervalSince1970, framesSeen: summary.framesSeen,
                bestFrame: summary.bestFrame,
                bestBox: [summary.bestBox.top, summary.bestBox.right, summary.bestBox.bottom, summary.bestBox.left],
                maxProbability: summary.maxProbability.finite, meanProbability: summary.meanProbability.finite)
        }
        return (
            "event/\(event.monitorID)/\(event.id)",
            EventMessage(
                monitor: event.monitorID, monitorName: event.monitorName, event: event.id, cause: event.cause,
                start: event.start.timeIntervalSince1970, end: event.end?.timeIntervalSince1970,
                outcome: results.outcome.name, reason: results.outcome.reason, framesSelected: results.frames.count,
                faces: results.faceCount, provisional: provisional, people: people, model: results.modelVersion)
        )
    }
}

extension Optional where Wrapped == Double {
    /// JSON has no NaN or infinity: such a score is published as null (PostgreSQL keeps the value).
    fileprivate var finite: Double? {
        guard let value = self, value.isFinite else { return nil }
        return value
    }
}
