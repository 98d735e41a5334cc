import Foundation
import ZMFaceCore

/// Who is present: a person is present from a sighting until `timeout` after their latest one.
/// Sightings are dated by the frames that showed the person, not by when zmface handled them, so
/// a backfill of last week's events never makes anyone present now. zmface itself turns presence
/// off (rather than leaving it to Home Assistant's `expire_after`), so every MQTT consumer sees it.
struct PresenceTracker: Sendable {
    let timeout: Duration
    private var lastSighting: [String: Date] = [:]
    private var present: Set<String> = []

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Records a sighting at `time`; returns whether `name` just became present (so `ON` should be
    /// published). A sighting older than the latest one changes nothing.
    mutating func sighted(_ name: String, at time: Date, now: Date) -> Bool {
        if let previous = lastSighting[name], previous >= time { return false }
        lastSighting[name] = time
        guard now.timeIntervalSince(time) < timeout.seconds else { return false }
        return present.insert(name).inserted
    }

    /// The latest sighting of `name`.
    func lastSeen(_ name: String) -> Date? { lastSighting[name] }

    func isPresent(_ name: String) -> Bool { present.contains(name) }

    /// People whose timeout ran out by `now`, no longer present (publish `OFF` for each), sorted.
    mutating func expire(now: Date) -> [String] {
        let gone = present.filter { name in
            guard let last = lastSighting[name] else { return true }
            return now.timeIntervalSince(last) >= timeout.seconds
        }
        present.subtract(gone)
        return gone.sorted()
    }

    /// When the next person becomes absent, if anyone is present.
    var nextExpiry: Date? {
        present.compactMap { lastSighting[$0] }.min().map { $0.addingTimeInterval(timeout.seconds) }
    }
}
