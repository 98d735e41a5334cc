/// Which frames of an event to recognise (worker.json `frames`).
public struct FrameSelectionPolicy: Sendable, Equatable {
    public enum Candidates: String, Sendable {
        /// Frames ZoneMinder marked `Type='Alarm'` (the default: where the motion is).
        case alarm
        /// Every frame 1…Events.Frames.
        case all
    }

    public enum Order: String, Sendable {
        /// With `maxPerEvent`, keep the highest-scoring frames.
        case score
        /// With `maxPerEvent`, keep frames spread evenly over the event.
        case time
    }

    public var candidates: Candidates
    /// Keep every Nth candidate (1 = all of them).
    public var every: Int
    /// At most this many frames per event (0 = no limit).
    public var maxPerEvent: Int
    public var order: Order

    public init(candidates: Candidates = .alarm, every: Int = 1, maxPerEvent: Int = 10, order: Order = .score) {
        self.candidates = candidates
        self.every = max(1, every)
        self.maxPerEvent = max(0, maxPerEvent)
        self.order = order
    }

    /// The chosen frame ids, ascending. `frameCount` is `Events.Frames`; `rows` the `Frames` rows.
    public func select(frameCount: Int, rows: [ZoneMinderFrame]) -> [Int] {
        selection(frameCount: frameCount, rows: rows).ids
    }

    /// The chosen frame ids, and whether `maxPerEvent` left candidates out.
    public func selection(frameCount: Int, rows: [ZoneMinderFrame]) -> (ids: [Int], capped: Bool) {
        let scores = Dictionary(rows.map { ($0.frameID, $0.score) }, uniquingKeysWith: max)
        var ids: [Int]
        switch candidates {
        case .alarm: ids = rows.filter(\.isAlarm).map(\.frameID)
        case .all: ids = frameCount > 0 ? Array(1...frameCount) : []
        }
        ids = Array(Set(ids)).sorted()
        if every > 1 { ids = ids.enumerated().filter { $0.offset % every == 0 }.map(\.element) }
        let capped = maxPerEvent > 0 && ids.count > maxPerEvent
        if capped {
            switch order {
            case .score:
                ids = Array(
                    ids.sorted { (scores[$0] ?? 0, -$0) > (scores[$1] ?? 0, -$1) }.prefix(maxPerEvent)
                ).sorted()
            case .time:
                let step = Double(ids.count) / Double(maxPerEvent)
                ids = (0..<maxPerEvent).map { ids[Int(Double($0) * step)] }
            }
        }
        return (ids, capped)
    }
}
