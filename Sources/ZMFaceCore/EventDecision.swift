/// Whether a person named in an event's frames was seen in the event as a whole. Single frames
/// are noisy (a turned head, motion blur, a look-alike), so a name counts only when frames agree:
/// at least `minAgreeingFrames` frames name the person and they outnumber the frames that show the
/// same face (an encoding within `sameFaceDistance` of one of the named faces) under another name
/// or none; or one frame is very sure (probability ≥ `confidentProbability` and distance ≤
/// `confidentDistance`) and no more frames contradict it than agree. A name in one frame that most
/// other sightings of that face contradict is not seen.
public struct EventDecision: Sendable, Equatable {
    public var seen: Bool
    /// 0…1: the agreeing frames' mean probability, weighted by face size (a face under 80 pixels
    /// counts less), times the share of the face's frames that agree.
    public var confidence: Double
    /// Frames naming the person, and frames showing the same face named otherwise or not named.
    public var agreeingFrames: Int
    public var contradictingFrames: Int

    public static let minAgreeingFrames = 2
    public static let confidentProbability = 0.9
    public static let confidentDistance = 0.45
    public static let sameFaceDistance = 0.6

    public init(seen: Bool, confidence: Double, agreeingFrames: Int, contradictingFrames: Int) {
        self.seen = seen
        self.confidence = confidence
        self.agreeingFrames = agreeingFrames
        self.contradictingFrames = contradictingFrames
    }

    /// The decision for every name in `frames`.
    public static func decide(_ frames: [FrameResult]) -> [String: EventDecision] {
        var named: [String: [(frame: Int, face: FaceResult)]] = [:]
        for frame in frames {
            for face in frame.faces {
                if let name = face.name { named[name, default: []].append((frame.frameID, face)) }
            }
        }
        var decisions: [String: EventDecision] = [:]
        for (name, sightings) in named {
            let agreeing = Set(sightings.map(\.frame))
            let references = sightings.compactMap(\.face.encoding)
            let contradicting = Set(
                frames.filter { frame in
                    !agreeing.contains(frame.frameID)
                        && frame.faces.contains { face in
                            guard face.name != name, let encoding = face.encoding else { return false }
                            return references.contains { $0.distance(to: encoding) < sameFaceDistance }
                        }
                }.map(\.frameID))
            var weight = 0.0
            var weighted = 0.0
            for (_, face) in sightings {
                let size = min(1, Double(face.box.height) / 80)
                weight += size
                weighted += size * (face.probability ?? 0)
            }
            let agreement = Double(agreeing.count) / Double(agreeing.count + contradicting.count)
            let confident = sightings.contains {
                ($0.face.probability ?? 0) >= confidentProbability
                    && ($0.face.distance ?? .infinity) <= confidentDistance
            }
            let seen =
                (agreeing.count >= minAgreeingFrames && agreeing.count > contradicting.count)
                || (confident && agreeing.count >= contradicting.count)
            decisions[name] = EventDecision(
                seen: seen, confidence: weight > 0 ? weighted / weight * agreement : 0,
                agreeingFrames: agreeing.count, contradictingFrames: contradicting.count)
        }
        return decisions
    }
}
