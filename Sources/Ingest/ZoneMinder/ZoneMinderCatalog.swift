public import Foundation
import ZMFaceCore

/// Reads ZoneMinder's tables (Events, Frames, Monitors, Storage) over one MariaDB connection on
/// its own thread. Read-only: `GRANT SELECT ON zm.*` is all it needs.
public final class ZoneMinderCatalog: EventCatalog {
    private let connection: ReconnectingConnection<MariaDBConnection>
    /// Folder used for events whose StorageId has no Storage row (ZoneMinder's `ZM_DIR_EVENTS`).
    private let defaultEventsPath: String
    private let monitors: [Int]?

    public init(settings: ZoneMinderDatabaseSettings, defaultEventsPath: String, monitors: [Int]?) {
        self.defaultEventsPath = defaultEventsPath
        self.monitors = monitors
        self.connection = ReconnectingConnection(
            name: "zoneminder-db", connect: { try MariaDBConnection(settings) },
            isConnectionLost: { ($0 as? MariaDBError)?.isUnavailable == true })
    }

    public func close() {
        connection.close()
    }

    /// Events with `Id >= from`, in Id order (open ones included).
    public func events(from: Int64, limit: Int) async throws -> [ZoneMinderEvent] {
        try await rows(
            Self.eventSelect(defaultPath: defaultEventsPath)
                + " WHERE e.Id >= \(from)\(monitorFilter) ORDER BY e.Id LIMIT \(limit)"
        ).map(Self.event)
    }

    /// Closed events that started in `since..<until` (for backfill), in Id order.
    public func closedEvents(since: Date, until: Date, monitor: Int?) async throws -> [ZoneMinderEvent] {
        let only = monitor.map { " AND e.MonitorId = \($0)" } ?? monitorFilter
        return try await rows(
            Self.eventSelect(defaultPath: defaultEventsPath)
                + " WHERE e.EndDateTime IS NOT NULL AND e.StartDateTime >= FROM_UNIXTIME(\(Int64(since.timeIntervalSince1970)))"
                + " AND e.StartDateTime < FROM_UNIXTIME(\(Int64(until.timeIntervalSince1970)))\(only) ORDER BY e.Id"
        ).map(Self.event)
    }

    /// The event's row again, or nil once it was deleted.
    public func event(id: Int64) async throws -> ZoneMinderEvent? {
        try await rows(Self.eventSelect(defaultPath: defaultEventsPath) + " WHERE e.Id = \(id)").first.map(Self.event)
    }

    /// The event's `Frames` rows, in frame order, each with the union of its zones' `Stats` alarm
    /// boxes (MaxX/MaxY are inclusive pixels, hence the + 1).
    public func frames(ofEvent id: Int64) async throws -> [ZoneMinderFrame] {
        try await rows(
            """
            SELECT f.FrameId, f.Type, COALESCE(f.Score, 0), COALESCE(f.Delta, 0), s.Top, s.Right, s.Bottom, s.Left
            FROM Frames f LEFT JOIN (
                SELECT FrameId, MIN(MinY) Top, MAX(MaxX) + 1 `Right`, MAX(MaxY) + 1 Bottom, MIN(MinX) `Left`
                FROM Stats WHERE EventId = \(id) AND MaxX > MinX AND MaxY > MinY GROUP BY FrameId
            ) s ON s.FrameId = f.FrameId
            WHERE f.EventId = \(id) ORDER BY f.FrameId
            """
        )
        .map { row in
            let box = row[4].flatMap { top in
                zip4(top, row[5], row[6], row[7]).map {
                    FaceBox(top: $0, right: $1, bottom: $2, left: $3)
                }
            }
            return ZoneMinderFrame(
                frameID: Int(row[0] ?? "") ?? 0, isAlarm: row[1] == "Alarm", score: Int(row[2] ?? "") ?? 0,
                delta: Double(row[3] ?? "") ?? 0, alarmBox: box)
        }
    }

    /// The largest event Id (for the first start with `startAt: now`), or nil when there are none.
    public func newestEventID() async throws -> Int64? {
        try await rows("SELECT MAX(Id) FROM Events e WHERE 1=1\(monitorFilter)").first?.first?.flatMap { Int64($0) }
    }

    /// The monitors' names by Id (only the configured monitors, when a list is configured).
    public func monitorNames() async throws -> [Int: String] {
        let only = monitors.map { " WHERE Id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
        let pairs = try await rows("SELECT Id, Name FROM Monitors\(only) ORDER BY Id").compactMap { row in
            Int(row[0] ?? "").map { ($0, row[1] ?? "") }
        }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    private var monitorFilter: String {
        guard let monitors, !monitors.isEmpty else { return "" }
        return " AND e.MonitorId IN (\(monitors.map(String.init).joined(separator: ",")))"
    }

    private func rows(_ sql: String) async throws -> [[String?]] {
        try await connection.withConnection { try $0.query(sql) }
    }

    private static func eventSelect(defaultPath: String) -> String {
        let escaped = defaultPath.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
            of: "'", with: "\\'")
        return """
            SELECT e.Id, e.MonitorId, COALESCE(m.Name, ''), COALESCE(e.Cause, ''),
                UNIX_TIMESTAMP(e.StartDateTime), UNIX_TIMESTAMP(e.EndDateTime),
                TIMESTAMPDIFF(MICROSECOND, e.EndDateTime, NOW(6)) / 1e6,
                COALESCE(e.Frames, 0), COALESCE(e.Length, 0), COALESCE(e.DefaultVideo, ''), COALESCE(e.SaveJPEGs, 3),
                e.Scheme, COALESCE(s.Path, '\(escaped)'),
                DATE_FORMAT(e.StartDateTime, '%y/%m/%d/%H/%i/%s'), DATE_FORMAT(e.StartDateTime, '%Y-%m-%d'),
                EXISTS (SELECT 1 FROM Events n WHERE n.MonitorId = e.MonitorId AND n.Id > e.Id),
                COALESCE(e.Width, 0), COALESCE(e.Height, 0)
            FROM Events e LEFT JOIN Monitors m ON m.Id = e.MonitorId LEFT JOIN Storage s ON s.Id = e.StorageId
            """
    }

    private static func event(_ row: [String?]) -> ZoneMinderEvent {
        ZoneMinderEvent(
            id: row[0].flatMap { Int64($0) } ?? 0, monitorID: Int(row[1] ?? "") ?? 0, monitorName: row[2] ?? "",
            cause: row[3] ?? "", start: Date(timeIntervalSince1970: Double(row[4] ?? "") ?? 0),
            end: row[5].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)),
            secondsSinceEnd: row[6].flatMap(Double.init), frameCount: Int(row[7] ?? "") ?? 0,
            length: Double(row[8] ?? "") ?? 0, defaultVideo: row[9] ?? "", saveJPEGs: Int(row[10] ?? "") ?? 3,
            scheme: StorageScheme(rawValue: row[11] ?? "") ?? .medium, storagePath: row[12] ?? "",
            deepTime: row[13] ?? "", mediumDate: row[14] ?? "", hasNewerEventOnMonitor: row[15] == "1",
            width: Int(row[16] ?? "") ?? 0, height: Int(row[17] ?? "") ?? 0)
    }
}

/// Four integer columns, or nil when one is NULL or not a number.
private func zip4(_ a: String, _ b: String?, _ c: String?, _ d: String?) -> (Int, Int, Int, Int)? {
    guard let a = Int(a), let b = b.flatMap({ Int($0) }), let c = c.flatMap({ Int($0) }), let d = d.flatMap({ Int($0) })
    else { return nil }
    return (a, b, c, d)
}
