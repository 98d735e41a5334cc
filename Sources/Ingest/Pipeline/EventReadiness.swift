public import Foundation

/// Whether an event can be read now, by ZoneMinder's life cycle (zoneminder.md §3).
public enum EventReadiness: Equatable, Sendable {
    /// Closed and settled: its last Frames rows are in.
    case ready
    /// Closed moments ago; zmc may still be flushing Frames rows.
    case settling
    /// Still being recorded.
    case open
    /// Left open by a crashed zmc: a newer event exists on its monitor and its files stopped changing.
    case abandoned

    /// `lastFileChange` (the newest mtime in the event folder, nil when it is gone) is evaluated
    /// only for the one case that needs it: reading a folder's files on every poll for every open
    /// event would be wasted work.
    public static func of(
        _ event: ZoneMinderEvent, settings: IngestSettings, lastFileChange: @autoclosure () -> Date?,
        now: Date = Date()
    ) -> EventReadiness {
        if let age = event.secondsSinceEnd {
            return age >= settings.settleSeconds ? .ready : .settling
        }
        guard event.hasNewerEventOnMonitor else { return .open }
        guard let lastFileChange = lastFileChange() else { return .abandoned }
        return now.timeIntervalSince(lastFileChange) >= settings.abandonSeconds ? .abandoned : .open
    }
}
