public import Foundation
public import ZMFaceCore

/// ZoneMinder's per-event folder layouts (`Events.Scheme`).
public enum StorageScheme: String, Sendable {
    /// `M/yy/mm/dd/HH/MM/SS` (plus a `M/yy/mm/dd/.<Id>` symlink).
    case deep = "Deep"
    /// `M/YYYY-mm-dd/<Id>`, the default.
    case medium = "Medium"
    /// `M/<Id>`.
    case shallow = "Shallow"
}

/// One `Events` row joined with its monitor and storage, as the ingest side needs it.
public struct ZoneMinderEvent: Sendable, Equatable {
    public var id: Int64
    public var monitorID: Int
    public var monitorName: String
    public var cause: String
    public var start: Date
    public var end: Date?
    /// Seconds since `EndDateTime` by the database's clock (nil while open).
    public var secondsSinceEnd: Double?
    public var frameCount: Int
    public var length: Double
    public var defaultVideo: String
    /// `SaveJPEGs`: bit 1 = capture JPEGs were written.
    public var saveJPEGs: Int
    public var scheme: StorageScheme
    public var storagePath: String
    /// `StartDateTime` formatted as Deep (`yy/mm/dd/HH/MM/SS`) and Medium (`YYYY-mm-dd`) need it, by
    /// the database itself: the path is ZoneMinder's local time, exactly as stored.
    public var deepTime: String
    public var mediumDate: String
    /// A newer event exists on the same monitor (zmc closes an event before opening the next).
    public var hasNewerEventOnMonitor: Bool
    /// `Events.Width`/`Height`: the size zmc analysed, in which its `Stats` boxes lie (0 when unknown).
    public var width = 0
    public var height = 0

    /// The event's folder: `Storage.Path` + the event's own scheme (not the storage's current one).
    public var directory: String {
        let monitor = "\(storagePath)/\(monitorID)"
        switch scheme {
        case .deep: return "\(monitor)/\(deepTime)"
        case .medium: return "\(monitor)/\(mediumDate)/\(id)"
        case .shallow: return "\(monitor)/\(id)"
        }
    }

    public var isClosed: Bool { end != nil }
    public var hasCaptureJPEGs: Bool { saveJPEGs & 1 != 0 }

    public var info: EventInfo {
        EventInfo(
            id: id, monitorID: monitorID, monitorName: monitorName, cause: cause, start: start, end: end,
            frameCount: frameCount)
    }
}

/// One `Frames` row: only some frames have one (alarm frames, the first, new max scores, bulk).
public struct ZoneMinderFrame: Sendable, Equatable {
    public var frameID: Int
    public var isAlarm: Bool
    public var score: Int
    /// Seconds since the event start.
    public var delta: Double
    /// Where the motion was: the union of the zones' alarm boxes in `Stats` (Modect alarm frames
    /// with ZM_RECORD_EVENT_STATS on), in frame pixels; nil when ZoneMinder recorded none.
    public var alarmBox: FaceBox?

    public init(frameID: Int, isAlarm: Bool, score: Int, delta: Double, alarmBox: FaceBox? = nil) {
        self.frameID = frameID
        self.isAlarm = isAlarm
        self.score = score
        self.delta = delta
        self.alarmBox = alarmBox
    }
}
