public import Foundation

/// What one event says about one person (a name, or an unknown cluster): the row of
/// `event_summaries` and the body of the `event/…` message.
public struct EventSummary: Sendable, Equatable {
    public var person: String
    public var name: String?
    public var firstSeen: Date
    public var lastSeen: Date
    public var framesSeen: Int
    public var bestFrame: Int
    public var bestBox: FaceBox
    public var maxProbability: Double?
    public var meanProbability: Double?
    /// For a named person, the event's decision (`EventDecision`): whether they were seen in the
    /// event as a whole, and how sure that is; nil for unknown faces.
    public var decision: EventDecision?

    /// Summaries of the faces that reached the classifier (gated faces have no identity), best
    /// face first by probability, then focus; one per person, sorted by person.
    public static func summarize(_ frames: [FrameResult]) -> [EventSummary] {
        var byPerson: [String: [(frame: FrameResult, face: FaceResult)]] = [:]
        for frame in frames {
            for face in frame.faces where face.encoding != nil {
                byPerson[face.person, default: []].append((frame, face))
            }
        }
        let decisions = EventDecision.decide(frames)
        return byPerson.keys.sorted().map { person in
            let sightings = byPerson[person]!
            let best = sightings.max { a, b in
                let pa = a.face.probability.orZeroIfNaN
                let pb = b.face.probability.orZeroIfNaN
                if pa != pb { return pa < pb }
                let fa = a.face.focus.orZeroIfNaN
                let fb = b.face.focus.orZeroIfNaN
                if fa != fb { return fa < fb }
                return a.frame.frameID > b.frame.frameID
            }!
            let probabilities = sightings.compactMap(\.face.probability)
            return EventSummary(
                person: person, name: best.face.name,
                firstSeen: sightings.map(\.frame.time).min()!, lastSeen: sightings.map(\.frame.time).max()!,
                framesSeen: Set(sightings.map(\.frame.frameID)).count, bestFrame: best.frame.frameID,
                bestBox: best.face.box, maxProbability: probabilities.max(),
                meanProbability: probabilities.isEmpty
                    ? nil : probabilities.reduce(0, +) / Double(probabilities.count),
                decision: best.face.name.flatMap { decisions[$0] })
        }
    }
}

extension Optional where Wrapped == Double {
    fileprivate var orZeroIfNaN: Double {
        guard let value = self, !value.isNaN else { return 0 }
        return value
    }
}
