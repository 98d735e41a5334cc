import Foundation
import Testing
import ZMFaceCore

@testable import Ingest

/// A ZoneMinder event row as the catalog would return it.
func makeEvent(
    id: Int64 = 7, monitor: Int = 1, scheme: StorageScheme = .medium, closedSecondsAgo: Double? = 10,
    newer: Bool = false, frames: Int = 50, saveJPEGs: Int = 1, video: String = "", storage: String = "/zm/events"
) -> ZoneMinderEvent {
    ZoneMinderEvent(
        id: id, monitorID: monitor, monitorName: "Front", cause: "Forced Web",
        start: Date(timeIntervalSince1970: 1_790_000_000), end: closedSecondsAgo.map { _ in Date() },
        secondsSinceEnd: closedSecondsAgo, frameCount: frames, length: 5, defaultVideo: video, saveJPEGs: saveJPEGs,
        scheme: scheme, storagePath: storage, deepTime: "26/11/29/05/13/07", mediumDate: "2026-11-29",
        hasNewerEventOnMonitor: newer)
}

@Suite("ZoneMinder event folders")
struct EventDirectoryTests {
    @Test("each scheme builds the folder zmc writes (zoneminder.md §4), from the event's own scheme")
    func schemes() {
        #expect(makeEvent(scheme: .deep).directory == "/zm/events/1/26/11/29/05/13/07")
        #expect(makeEvent(scheme: .medium).directory == "/zm/events/1/2026-11-29/7")
        #expect(makeEvent(scheme: .shallow).directory == "/zm/events/1/7")
    }
}

@Suite("ZM_DB_HOST and zm.conf")
struct ZoneMinderSettingsTests {
    @Test("host, host:port and localhost:/socket are read as zm_db.cpp reads them")
    func hostForms() throws {
        let plain = try ZoneMinderDatabaseSettings(zmDBHost: "db.lan", database: "zm", user: "u", password: nil)
        #expect(plain.host == "db.lan" && plain.port == nil && plain.socket == nil)
        let port = try ZoneMinderDatabaseSettings(zmDBHost: "127.0.0.1:3307", database: "zm", user: "u", password: nil)
        #expect(port.host == "127.0.0.1" && port.port == 3307)
        let socket = try ZoneMinderDatabaseSettings(
            zmDBHost: "localhost:/run/mysqld/mysqld.sock", database: "zm", user: "u", password: "p")
        #expect(socket.host == "localhost" && socket.socket == "/run/mysqld/mysqld.sock" && socket.password == "p")
    }

    @Test("a malformed ZM_DB_HOST is an error naming the value")
    func badHost() {
        #expect(throws: ZoneMinderConfigError.self) {
            try ZoneMinderDatabaseSettings(zmDBHost: "db:notaport", database: "zm", user: "u", password: nil)
        }
    }

    @Test("zm.conf then conf.d/*.conf in name order, later files win, quotes and comments handled")
    func zmConf() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zmconf-\(UUID())")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("conf.d"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "# ZoneMinder\nZM_DB_HOST=localhost\nZM_DB_NAME=zm\nZM_DB_USER=zmuser\nZM_DB_PASS=zmpass\n"
            .write(to: dir.appendingPathComponent("zm.conf"), atomically: true, encoding: .utf8)
        try "ZM_DB_HOST=127.0.0.1:3307\n".write(
            to: dir.appendingPathComponent("conf.d/01-a.conf"), atomically: true, encoding: .utf8)
        try "ZM_DB_PASS=\"s3cret\"\n# ZM_DB_USER=nobody\n".write(
            to: dir.appendingPathComponent("conf.d/99-b.conf"), atomically: true, encoding: .utf8)
        let settings = try ZoneMinderDatabaseSettings.fromZMConf(dir.appendingPathComponent("zm.conf").path)
        #expect(
            settings
                == ZoneMinderDatabaseSettings(
                    host: "127.0.0.1", port: 3307, database: "zm", user: "zmuser", password: "s3cret"))
    }
}

@Suite("frame selection")
struct FrameSelectionTests {
    let rows = [
        ZoneMinderFrame(frameID: 1, isAlarm: false, score: 0, delta: 0),
        ZoneMinderFrame(frameID: 6, isAlarm: true, score: 10, delta: 0.5),
        ZoneMinderFrame(frameID: 7, isAlarm: true, score: 255, delta: 0.6),
        ZoneMinderFrame(frameID: 8, isAlarm: true, score: 30, delta: 0.7),
        ZoneMinderFrame(frameID: 9, isAlarm: true, score: 255, delta: 0.8),
    ]

    @Test("alarm frames only by default, ascending")
    func alarmOnly() {
        #expect(FrameSelectionPolicy(maxPerEvent: 0).select(frameCount: 20, rows: rows) == [6, 7, 8, 9])
    }

    @Test("top-K by score keeps the highest scores, earlier frame first on ties")
    func topK() {
        #expect(FrameSelectionPolicy(maxPerEvent: 2).select(frameCount: 20, rows: rows) == [7, 9])
        #expect(FrameSelectionPolicy(maxPerEvent: 3).select(frameCount: 20, rows: rows) == [7, 8, 9])
    }

    @Test("every Nth of all frames, then spread evenly in time")
    func everyNth() {
        #expect(
            FrameSelectionPolicy(candidates: .all, every: 5, maxPerEvent: 0).select(frameCount: 20, rows: rows) == [
                1, 6, 11, 16,
            ])
        #expect(
            FrameSelectionPolicy(candidates: .all, every: 1, maxPerEvent: 4, order: .time).select(
                frameCount: 20, rows: rows)
                == [1, 6, 11, 16])
    }

    @Test("an event without frames selects nothing")
    func empty() {
        #expect(FrameSelectionPolicy(candidates: .all).select(frameCount: 0, rows: []) == [])
    }
}

@Suite("event readiness and the low watermark")
struct ReadinessTests {
    let settings = IngestSettings(settleSeconds: 2, abandonSeconds: 60)

    @Test("closed events wait for the Frames flush before they are read")
    func settle() {
        #expect(
            EventReadiness.of(makeEvent(closedSecondsAgo: 0.5), settings: settings, lastFileChange: nil) == .settling)
        #expect(EventReadiness.of(makeEvent(closedSecondsAgo: 3), settings: settings, lastFileChange: nil) == .ready)
    }

    @Test("an open event is abandoned only with a newer event on its monitor and files quiet for abandonSeconds")
    func abandoned() {
        let now = Date()
        let open = makeEvent(closedSecondsAgo: nil, newer: false)
        #expect(
            EventReadiness.of(open, settings: settings, lastFileChange: now.addingTimeInterval(-600), now: now) == .open
        )
        let crashed = makeEvent(closedSecondsAgo: nil, newer: true)
        #expect(
            EventReadiness.of(crashed, settings: settings, lastFileChange: now.addingTimeInterval(-10), now: now)
                == .open)
        #expect(
            EventReadiness.of(crashed, settings: settings, lastFileChange: now.addingTimeInterval(-61), now: now)
                == .abandoned)
    }

    @Test("the event folder is read only for an open event that has a newer one on its monitor")
    func folderReadOnlyWhenNeeded() {
        var reads = 0
        func lastChange() -> Date? {
            reads += 1
            return Date()
        }
        _ = EventReadiness.of(makeEvent(closedSecondsAgo: 3), settings: settings, lastFileChange: lastChange())
        _ = EventReadiness.of(
            makeEvent(closedSecondsAgo: nil, newer: false), settings: settings, lastFileChange: lastChange())
        #expect(reads == 0)
        _ = EventReadiness.of(
            makeEvent(closedSecondsAgo: nil, newer: true), settings: settings, lastFileChange: lastChange())
        #expect(reads == 1)
    }

    @Test("the watermark stops at the first unhandled event and passes a fully handled batch")
    func watermark() {
        let rows = [makeEvent(id: 3), makeEvent(id: 4, closedSecondsAgo: nil), makeEvent(id: 6)]
        #expect(EventIngestor.lowWatermark(rows: rows, handled: [3, 6]) == 4)
        #expect(EventIngestor.lowWatermark(rows: rows, handled: [3, 4, 6]) == 7)
        #expect(EventIngestor.lowWatermark(rows: [], handled: []) == nil)
    }
}

/// Which part of a frame ingestion scans: ZoneMinder's alarm box widened by the margin, clamped
/// to the frame, or the whole frame when there is no box or cutting one out would save nothing.
@Suite("scan region")
struct ScanRegionPolicyTests {
    @Test("The alarm box grows by the margin (at least 40 px) on each side and stays inside the frame")
    func widened() {
        let policy = ScanRegionPolicy.alarm(margin: 0.25)
        let box = FaceBox(top: 100, right: 400, bottom: 300, left: 200)
        #expect(
            policy.region(for: box, width: 640, height: 480) == FaceBox(top: 50, right: 450, bottom: 350, left: 150))
        let small = FaceBox(top: 10, right: 620, bottom: 40, left: 600)
        #expect(
            policy.region(for: small, width: 640, height: 480) == FaceBox(top: 0, right: 640, bottom: 80, left: 560),
            "40 px at least, clamped at the edges")
    }

    @Test("No box, an empty or outside box, a region of nearly the whole frame, or `full`: the whole frame")
    func wholeFrame() {
        let policy = ScanRegionPolicy.alarm(margin: 0.25)
        #expect(policy.region(for: nil, width: 640, height: 480) == nil)
        #expect(policy.region(for: FaceBox(top: 5, right: 5, bottom: 5, left: 5), width: 640, height: 480) == nil)
        #expect(
            policy.region(for: FaceBox(top: 900, right: 1900, bottom: 1000, left: 1800), width: 640, height: 480) == nil
        )
        #expect(policy.region(for: FaceBox(top: 20, right: 600, bottom: 460, left: 40), width: 640, height: 480) == nil)
        #expect(
            ScanRegionPolicy.full.region(
                for: FaceBox(top: 100, right: 200, bottom: 200, left: 100), width: 640, height: 480) == nil)
        let box = FaceBox(top: 100, right: 400, bottom: 300, left: 200)
        #expect(
            policy.region(for: box, width: 1280, height: 720, boxSpace: (640, 480)) == nil,
            "a box from a 640x480 analysis does not fit a 1280x720 frame")
        #expect(policy.region(for: box, width: 640, height: 480, boxSpace: (640, 480)) != nil)
    }
}
