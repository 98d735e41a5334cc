import Foundation
import Testing
import ZMFaceCore

@testable import Sink

/// Against a real PostgreSQL: scripts/test starts a private one (scripts/lib/dbservers.sh) and
/// passes its URL in ZMFACE_TEST_POSTGRES_URL. Each test works in a schema of its own.
enum TestDatabase {
    static func url() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["ZMFACE_TEST_POSTGRES_URL"],
            "ZMFACE_TEST_POSTGRES_URL is not set: run scripts/test, which starts a private PostgreSQL")
    }

    /// A store on a fresh, empty schema (search_path set through libpq's `options`).
    static func freshStore() throws -> (ResultStore, String) {
        let base = try url()
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try PostgresConnection(conninfo: base)
        try admin.execute("CREATE SCHEMA \(schema)")
        let scoped = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        return (ResultStore(conninfo: scoped), scoped)
    }

    static func query(_ url: String, _ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        try PostgresConnection(conninfo: url).execute(sql, parameters).rows
    }
}

func face(_ index: Int, name: String?, probability: Double?, margin: Double? = 0.2) -> FaceResult {
    FaceResult(
        index: index, box: FaceBox(top: 1, right: 50, bottom: 60, left: 2), confidence: 1.5, focus: 321.5,
        encoding: FaceEncoding((0..<128).map { Float($0) / 1000 - 0.05 }), name: name, probability: probability,
        distance: 0.4, margin: margin, status: name == nil ? .unknown : .recognized)
}

func results(event: Int64, faces: [[FaceResult]], watermark: Int64? = nil) -> EventResults {
    EventResults(
        event: EventInfo(
            id: event, monitorID: 2, monitorName: "Front 'door'", cause: "Motion",
            start: Date(timeIntervalSince1970: 1000),
            end: Date(timeIntervalSince1970: 1005), frameCount: 50),
        outcome: .processed,
        frames: faces.enumerated().map { index, faces in
            FrameResult(
                frameID: index + 1, time: Date(timeIntervalSince1970: 1000 + Double(index)), score: 255, faces: faces)
        }, modelVersion: "svm-abc", lowWatermark: watermark)
}

@Suite("PostgreSQL result store (real server)", .serialized)
struct ResultStoreTests {
    @Test("migrations apply once; a second start finds nothing to do")
    func migrations() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        let all = Array(1...ResultStore.schemaVersion)
        #expect(all.count == 4, "versions 1 to 4 (v4: crops, clusters, labels)")
        #expect(try await store.migrate() == all)
        #expect(try await store.migrate() == [])
        #expect(
            try TestDatabase.query(url, "SELECT version FROM schema_migrations ORDER BY version")
                == all.map { [String($0)] })
    }

    @Test("several instances starting at once on an empty database migrate it once, none fails")
    func concurrentMigrations() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        let stores = (0..<12).map { _ in ResultStore(conninfo: store.conninfoForTests) }
        defer { stores.forEach { $0.close() } }
        // Connected first (the query fails: no tables yet), so the migrations start together.
        for other in stores { _ = try? await other.newestHandledEvent() }
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for other in stores { group.addTask { try await other.migrate() } }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        let all = Array(1...ResultStore.schemaVersion)
        #expect(applied.filter { !$0.isEmpty } == [all], "one instance applies, the others find nothing")
        #expect(try TestDatabase.query(url, "SELECT count(*) FROM schema_migrations") == [[String(all.count)]])
    }

    @Test("a database newer than this zmface is refused, not modified")
    func newerSchema() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        _ = try TestDatabase.query(url, "INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
        await #expect(throws: PostgresError.self) { try await store.migrate() }
    }

    @Test("hostile names, NaN and infinite scores and the 128-D encoding are stored exactly")
    func hostileValues() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        let hostile = "Ro'bert\"); DROP TABLE detections;-- \u{1F600} \\ Ωμέγα"
        try await store.commit(
            results(event: 7, faces: [[face(0, name: hostile, probability: .nan, margin: .infinity)]]), source: "zm")
        let row = try #require(
            try TestDatabase.query(
                url,
                "SELECT name, probability::text, margin::text, array_length(encoding, 1), encoding[2]::text FROM detections"
            ).first)
        #expect(Array(row.prefix(4)) == [hostile, "NaN", "Infinity", "128"])
        #expect(Float(row[4] ?? "") == Float(1) / 1000 - 0.05, "real[] keeps the Float bit for bit")
        #expect(try TestDatabase.query(url, "SELECT monitor_name FROM events") == [["Front 'door'"]])
        #expect(
            try TestDatabase.query(url, "SELECT person, max_probability::text FROM event_summaries") == [
                [hostile, "NaN"]
            ])
    }

    @Test("re-committing an event replaces its rows (fewer faces now), counts runs, never duplicates")
    func replace() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        try await store.commit(
            results(
                event: 3, faces: [[face(0, name: "a", probability: 0.9), face(1, name: nil, probability: 0.1)], []]),
            source: "zm")
        try await store.commit(results(event: 3, faces: [[face(0, name: "a", probability: 0.95)]]), source: "zm")
        #expect(try TestDatabase.query(url, "SELECT count(*) FROM detections") == [["1"]])
        #expect(try TestDatabase.query(url, "SELECT count(*) FROM frames") == [["1"]])
        #expect(try TestDatabase.query(url, "SELECT runs FROM events") == [["2"]])
        #expect(try TestDatabase.query(url, "SELECT person, frames_seen FROM event_summaries") == [["a", "1"]])
        // One very sure frame (0.95, distance 0.4) and nothing against it: the event decision says seen.
        #expect(
            try TestDatabase.query(url, "SELECT seen, agreeing_frames, contradicting_frames FROM event_summaries")
                == [["t", "1", "0"]])
    }

    @Test("the cursor moves only forward and is read back; handled events are listed from a watermark")
    func cursor() async throws {
        let (store, _) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        #expect(try await store.lowWatermark(source: "zm") == nil)
        try await store.commit(results(event: 9, faces: [], watermark: 10), source: "zm")
        try await store.commit(results(event: 4, faces: [], watermark: 5), source: "zm")
        #expect(try await store.lowWatermark(source: "zm") == 10)
        try await store.initializeLowWatermark(source: "zm", to: 1)
        #expect(try await store.lowWatermark(source: "zm") == 10)
        #expect(try await store.handledEvents(from: 5) == [9])
        try await store.commit(results(event: 12, faces: [], watermark: nil), source: "zm")
        #expect(try await store.lowWatermark(source: "zm") == 10, "a backfill commit leaves the cursor alone")
    }

    @Test(
        "claims: one holder at a time, its own name takes it back, an expired lease is taken over, and a taken-over commit writes nothing"
    )
    func claims() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        #expect(try await store.claim(5, owner: "a", leaseSeconds: 60, for: .live) == .claimed)
        #expect(try await store.claim(5, owner: "b", leaseSeconds: 60, for: .live) == .busy)
        #expect(try await store.claim(5, owner: "a", leaseSeconds: 60, for: .live) == .claimed, "a restarted 'a'")
        #expect(try await store.renewClaim(5, owner: "a", leaseSeconds: 0.3))
        #expect(try await !store.renewClaim(5, owner: "b", leaseSeconds: 60))
        try await Task.sleep(for: .milliseconds(600))
        #expect(try await store.claim(5, owner: "b", leaseSeconds: 60, for: .live) == .claimed, "a's lease ran out")
        #expect(try await !store.renewClaim(5, owner: "a", leaseSeconds: 60))
        await #expect(throws: EventClaimLost.self) {
            try await store.commit(
                results(event: 5, faces: [[face(0, name: "ann", probability: 0.9)]]), source: "zm", owner: "a")
        }
        #expect(try TestDatabase.query(url, "SELECT count(*) FROM events") == [["0"]], "a's results were not written")
        try await store.commit(
            results(event: 5, faces: [[face(0, name: "ann", probability: 0.9)]]), source: "zm", owner: "b",
            instance: "b")
        #expect(try TestDatabase.query(url, "SELECT instance, runs FROM events") == [["b", "1"]])
        #expect(try await store.claim(5, owner: "c", leaseSeconds: 60, for: .live) == .handled)
        #expect(try await store.claim(5, owner: "b", leaseSeconds: 60, for: .live) == .handled)

        // A backfill begun before the commit has nothing left to do; one begun after re-processes it.
        let before = Date(timeIntervalSinceNow: -60)
        #expect(try await store.claim(5, owner: "c", leaseSeconds: 60, for: .backfill(startedAt: before)) == .handled)
        try await Task.sleep(for: .milliseconds(50))
        let after = Date()
        #expect(try await store.claim(5, owner: "c", leaseSeconds: 60, for: .backfill(startedAt: after)) == .claimed)
        #expect(try await store.claim(5, owner: "d", leaseSeconds: 60, for: .backfill(startedAt: after)) == .busy)
        try await store.commit(results(event: 5, faces: []), source: "zm", owner: "c", instance: "c")
        #expect(try await store.claim(5, owner: "d", leaseSeconds: 60, for: .backfill(startedAt: after)) == .handled)
        #expect(try TestDatabase.query(url, "SELECT instance, runs FROM events") == [["c", "2"]])
        #expect(try TestDatabase.query(url, "SELECT instance, count(*) FROM events GROUP BY 1") == [["c", "1"]])
    }

    @Test(
        "a restarted process of an instance takes back the claims its crashed predecessor left, and no other instance's"
    )
    func releaseEarlierClaims() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        #expect(try await store.claim(1, owner: "door/old", leaseSeconds: 60, for: .live) == .claimed)
        #expect(try await store.claim(2, owner: "gate/x", leaseSeconds: 60, for: .live) == .claimed)
        #expect(try await store.claim(1, owner: "door/new", leaseSeconds: 60, for: .live) == .busy)
        try await store.releaseClaims(ofInstance: "door", except: "door/new")
        #expect(try await store.claim(1, owner: "door/new", leaseSeconds: 60, for: .live) == .claimed)
        #expect(try await store.claim(2, owner: "door/new", leaseSeconds: 60, for: .live) == .busy, "gate's stays")
        try await store.commit(results(event: 1, faces: []), source: "zm", owner: "door/new", instance: "door")
        #expect(try TestDatabase.query(url, "SELECT instance, count(*) FROM events GROUP BY 1") == [["door", "1"]])
        // A claim given up uncommitted is free for others at once.
        #expect(try await store.claim(3, owner: "door/new", leaseSeconds: 60, for: .live) == .claimed)
        try await store.releaseClaim(3, owner: "gate/x")
        #expect(
            try await store.claim(3, owner: "gate/x", leaseSeconds: 60, for: .live) == .busy, "not gate's to release")
        try await store.releaseClaim(3, owner: "door/new")
        #expect(try await store.claim(3, owner: "gate/x", leaseSeconds: 60, for: .live) == .claimed)
    }

    @Test("a start forgets claims committed more than a week ago (the table does not grow forever), keeps the rest")
    func committedClaimsArePruned() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        for event in Int64(1)...3 {
            #expect(try await store.claim(event, owner: "door/a", leaseSeconds: 60, for: .live) == .claimed)
        }
        try await store.commit(results(event: 1, faces: []), source: "zm", owner: "door/a", instance: "door")
        try await store.commit(results(event: 2, faces: []), source: "zm", owner: "door/a", instance: "door")
        _ = try TestDatabase.query(
            url, "UPDATE event_claims SET committed_at = now() - interval '8 days' WHERE event_id = 1 RETURNING 1")
        try await store.releaseClaims(ofInstance: "door", except: "door/b")
        #expect(
            try TestDatabase.query(url, "SELECT event_id FROM event_claims ORDER BY 1") == [["2"], ["3"]],
            "the 8-day-old committed claim is gone; a recent commit and the open claim stay")
        #expect(
            try await store.claim(1, owner: "door/b", leaseSeconds: 60, for: .live) == .handled,
            "live ingestion still sees event 1 as handled: its results are in events")
    }

    @Test("an event never committed twice at once: many claimers race, exactly one wins")
    func claimRace() async throws {
        let (store, _) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        let stores = (0..<8).map { _ in ResultStore(conninfo: store.conninfoForTests) }
        defer { stores.forEach { $0.close() } }
        for event in Int64(1)...20 {
            let outcomes = try await withThrowingTaskGroup(of: EventClaim.self) { group in
                for (index, other) in stores.enumerated() {
                    group.addTask { try await other.claim(event, owner: "i\(index)", leaseSeconds: 60, for: .live) }
                }
                return try await group.reduce(into: [EventClaim]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .claimed }.count == 1, "event \(event): \(outcomes)")
        }
    }

    @Test("an unreachable server is `unavailable` (retry later), not a rejected statement")
    func unreachable() async throws {
        let store = ResultStore(conninfo: "postgresql://zmface@127.0.0.1:1/zmface?connect_timeout=2")
        defer { store.close() }
        await #expect {
            try await store.migrate()
        } throws: { error in
            (error as? PostgresError)?.isUnavailable == true
        }
    }
}
