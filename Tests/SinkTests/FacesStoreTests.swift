import Foundation
import Testing
import ZMFaceCore

@testable import Sink

/// The labelling loop's data on a real PostgreSQL: re-runs keep the user's work, clusters across
/// events (incremental and recomputed), and crop retention with real files.
@Suite("faces: carry-over, clusters, retention (real server)", .serialized)
struct FacesStoreTests {
    func unknownFace(_ index: Int, _ encoding: [Float], box: FaceBox, crop: String? = nil) -> FaceResult {
        var face = FaceResult(
            index: index, box: box, confidence: 1, focus: 300, encoding: FaceEncoding(encoding), name: nil,
            probability: nil, distance: nil, margin: nil, status: .unknown)
        face.crop = crop
        return face
    }

    func box(_ left: Int) -> FaceBox { FaceBox(top: 10, right: left + 40, bottom: 50, left: left) }

    @Test("a re-run carries cluster, clustered and the label to the new row of the same frame and box, nothing else")
    func carryOver() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        var faces = FaceClustererTests.Faces()
        let (a, b) = (faces.face(1), faces.face(2))
        try await store.commit(
            results(event: 5, faces: [[unknownFace(0, a, box: box(0)), unknownFace(1, b, box: box(100))]]), source: "zm"
        )
        let cluster = try #require(
            try TestDatabase.query(url, "INSERT INTO face_clusters (centroid) VALUES ('{1,2}') RETURNING cluster_id")
                .first?.first ?? nil)
        _ = try TestDatabase.query(
            url,
            """
            UPDATE detections SET cluster_id = $1, clustered = true, label = 'alice', label_kind = 'person',
                labelled_at = '2026-11-30 10:00:00+00', crop = '5/1-1.jpg' WHERE face_index = 1
            """, [cluster])
        _ = try TestDatabase.query(url, "UPDATE detections SET clustered = true WHERE face_index = 0")
        // The re-run finds the faces in the other order, one of them with a moved box, and keeps no crop.
        let kept = try await store.commit(
            results(event: 5, faces: [[unknownFace(0, b, box: box(100)), unknownFace(1, a, box: box(1))]]),
            source: "zm")
        let rows = try TestDatabase.query(
            url,
            """
            SELECT face_index, box_left, cluster_id, clustered, label, label_kind, labelled_at::text, crop
            FROM detections ORDER BY face_index
            """)
        #expect(
            rows == [
                ["0", "100", cluster, "t", "alice", "person", "2026-11-30 10:00:00+00", "5/1-1.jpg"],
                ["1", "1", nil, "f", nil, nil, nil, nil],
            ])
        #expect(kept == ["5/1-1.jpg"], "the labelled face's old crop is kept: no face of this run wrote that name")
        // A new crop of this run under the same name wins over the carried one.
        let rerun = try await store.commit(
            results(
                event: 5,
                faces: [[unknownFace(0, b, box: box(100)), unknownFace(1, a, box: box(1), crop: "5/1-1.jpg")]]),
            source: "zm")
        #expect(rerun == ["5/1-1.jpg"])
        #expect(
            try TestDatabase.query(url, "SELECT face_index, label, crop FROM detections ORDER BY face_index") == [
                ["0", "alice", nil], ["1", nil, "5/1-1.jpg"],
            ])
    }

    @Test(
        "passes: a person's faces over several events form one cluster once there are three, then join it; others wait")
    func incrementalPasses() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        let clusters = FaceClusterStore(conninfo: store.conninfoForTests)
        defer { clusters.close() }
        var faces = FaceClustererTests.Faces()
        let settings = FaceClusterSettings(distance: 0.5, minFaces: 3)
        // Events 1 and 2: two faces of person 1, one of person 2, one of person 3.
        try await store.commit(
            results(
                event: 1,
                faces: [[unknownFace(0, faces.face(1), box: box(0))], [unknownFace(0, faces.face(2), box: box(0))]]),
            source: "zm")
        try await store.commit(
            results(
                event: 2,
                faces: [[unknownFace(0, faces.face(1), box: box(0)), unknownFace(1, faces.face(3), box: box(60))]]),
            source: "zm")
        let (first, waiting) = try #require(try await clusters.pass(settings, waiting: [:]))
        #expect(first == .init(newFaces: 4, joined: 0, formedClusters: 0, formedFaces: 0, waiting: 4))
        #expect(try TestDatabase.query(url, "SELECT count(*) FROM detections WHERE clustered") == [["0"]])
        // Event 3: the third face of person 1 forms the cluster with the two waiting ones.
        try await store.commit(
            results(event: 3, faces: [[unknownFace(0, faces.face(1), box: box(0))]]), source: "zm")
        let (second, waiting2) = try #require(try await clusters.pass(settings, waiting: waiting))
        #expect(second == .init(newFaces: 1, joined: 0, formedClusters: 1, formedFaces: 3, waiting: 2))
        #expect(
            Set(waiting2.keys) == [
                FaceKey(eventID: 1, frameID: 2, faceIndex: 0), FaceKey(eventID: 2, frameID: 1, faceIndex: 1),
            ])
        // Event 4: a fourth face of person 1 joins it; a named face is never clustered.
        var named = unknownFace(1, faces.face(1), box: box(80))
        named.name = "bob"
        try await store.commit(
            results(event: 4, faces: [[unknownFace(0, faces.face(1), box: box(0)), named]]), source: "zm")
        let (third, _) = try #require(try await clusters.pass(settings, waiting: waiting2))
        #expect(third == .init(newFaces: 1, joined: 1, formedClusters: 0, formedFaces: 0, waiting: 2))
        let row = try #require(
            try TestDatabase.query(
                url,
                "SELECT cluster_id, state, faces, extract(epoch FROM first_seen)::bigint, extract(epoch FROM last_seen)::bigint, array_length(centroid, 1) FROM face_clusters"
            ).first)
        #expect(Array(row.dropFirst()) == ["open", "4", "1000", "1000", "128"])
        #expect(
            try TestDatabase.query(
                url,
                "SELECT event_id, cluster_id = $1, clustered FROM detections WHERE name IS NULL ORDER BY event_id, frame_id, face_index",
                [row[0]])
                == [
                    ["1", "t", "t"], ["1", nil, "f"], ["2", "t", "t"], ["2", nil, "f"], ["3", "t", "t"],
                    ["4", "t", "t"],
                ])
        #expect(
            try TestDatabase.query(url, "SELECT clustered, cluster_id FROM detections WHERE name = 'bob'") == [
                ["f", nil]
            ])
        // Another instance running a pass holds the lock: this one skips its turn.
        let other = try PostgresConnection(conninfo: url)
        try other.execute("BEGIN")
        try other.execute("SELECT pg_advisory_xact_lock(\(FaceClusterStore.lockKey))")
        #expect(try await clusters.pass(settings, waiting: [:]) == nil)
        try other.execute("ROLLBACK")
    }

    @Test(
        "a face still waiting maxWait after its event was stored stops waiting (even from an old capture time, a backfill still clusters); a recompute leaves it out"
    )
    func waitingExpires() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        let clusters = FaceClusterStore(conninfo: store.conninfoForTests)
        defer { clusters.close() }
        var faces = FaceClustererTests.Faces()
        let settings = FaceClusterSettings(distance: 0.5, minFaces: 3)
        let thirtyDays = Duration.seconds(30 * 86_400)
        // Event 1, stored 40 days ago: two faces of person 1, one of person 2. Event 2, stored now:
        // a third face of person 1 and one of person 3. All captured in 1970 (results' times).
        try await store.commit(
            results(
                event: 1,
                faces: [
                    [unknownFace(0, faces.face(1), box: box(0)), unknownFace(1, faces.face(2), box: box(60))],
                    [unknownFace(0, faces.face(1), box: box(0))],
                ]),
            source: "zm")
        _ = try TestDatabase.query(
            url, "UPDATE events SET processed_at = now() - interval '40 days' WHERE event_id = 1")
        try await store.commit(
            results(
                event: 2,
                faces: [[unknownFace(0, faces.face(1), box: box(0)), unknownFace(1, faces.face(3), box: box(60))]]),
            source: "zm")
        let (report, waiting) = try #require(try await clusters.pass(settings, waiting: [:], maxWait: thirtyDays))
        #expect(report == .init(newFaces: 2, joined: 0, formedClusters: 0, formedFaces: 0, waiting: 2, expired: 3))
        #expect(Set(waiting.keys.map(\.eventID)) == [2])
        #expect(
            try TestDatabase.query(
                url, "SELECT event_id, clustered, cluster_id FROM detections ORDER BY event_id, frame_id, face_index")
                == [["1", "t", nil], ["1", "t", nil], ["1", "t", nil], ["2", "f", nil], ["2", "f", nil]])
        // Nothing new, but event 2 ages past maxWait too: its faces leave the waiting map as well.
        _ = try TestDatabase.query(
            url, "UPDATE events SET processed_at = now() - interval '31 days' WHERE event_id = 2")
        let (quiet, none) = try #require(try await clusters.pass(settings, waiting: waiting, maxWait: thirtyDays))
        #expect(quiet == .init(newFaces: 0, joined: 0, formedClusters: 0, formedFaces: 0, waiting: 0, expired: 2))
        #expect(none.isEmpty)
        _ = try TestDatabase.query(url, "UPDATE detections SET clustered = false WHERE event_id = 2")
        _ = try TestDatabase.query(url, "UPDATE events SET processed_at = now() WHERE event_id = 2")
        let recomputed = try await clusters.recompute(settings)
        #expect(recomputed.faces == 2 && recomputed.waiting == 2 && recomputed.openAfter == 0)
        // The same faces, all waiting again and no expiry: person 1's three faces form a cluster,
        // which is what the expiry above prevented.
        _ = try TestDatabase.query(url, "UPDATE detections SET clustered = false")
        let (control, _) = try #require(try await clusters.pass(settings, waiting: [:]))
        #expect(control == .init(newFaces: 5, joined: 0, formedClusters: 1, formedFaces: 3, waiting: 2, expired: 0))
    }

    @Test(
        "recompute: unchanged clusters keep their ids, named ones keep their faces, a split keeps the larger part's id")
    func recompute() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        let clusters = FaceClusterStore(conninfo: store.conninfoForTests)
        defer { clusters.close() }
        var faces = FaceClustererTests.Faces()
        let settings = FaceClusterSettings(distance: 0.5, minFaces: 3)
        var frames: [[FaceResult]] = []
        for person in [1, 2, 1, 2, 1, 2, 1, 3, 3] { frames.append([unknownFace(0, faces.face(person), box: box(0))]) }
        try await store.commit(results(event: 1, faces: frames), source: "zm")
        _ = try await clusters.pass(settings, waiting: [:])
        #expect(
            try TestDatabase.query(url, "SELECT count(*) FROM detections WHERE cluster_id IS NOT NULL") == [["7"]],
            "persons 1 and 2 clustered; the two faces of person 3 wait")
        // A recompute from scratch (every face waiting, no cluster) makes new clusters that stay, and
        // that a second recompute then keeps.
        _ = try TestDatabase.query(url, "UPDATE detections SET clustered = false, cluster_id = NULL")
        _ = try TestDatabase.query(url, "DELETE FROM face_clusters")
        let fresh = try await clusters.recompute(settings)
        #expect(fresh == .init(faces: 9, openBefore: 0, openAfter: 2, keptIDs: 0, joinedFixed: 0, waiting: 2))
        #expect(try TestDatabase.query(url, "SELECT count(*) FROM face_clusters") == [["2"]])
        let before = try TestDatabase.query(
            url, "SELECT frame_id, cluster_id FROM detections WHERE cluster_id IS NOT NULL ORDER BY frame_id")
        let report = try await clusters.recompute(settings)
        #expect(report == .init(faces: 9, openBefore: 2, openAfter: 2, keptIDs: 2, joinedFixed: 0, waiting: 2))
        #expect(
            try TestDatabase.query(
                url, "SELECT frame_id, cluster_id FROM detections WHERE cluster_id IS NOT NULL ORDER BY frame_id")
                == before)
        // The user named person 2's cluster; a face wrongly put into person 1's cluster (person 3's)
        // is moved out by the recompute, and person 1's cluster keeps its id.
        let person1 = try #require(before.first?[1] ?? nil)
        let person2 = try #require(before[1][1])
        _ = try TestDatabase.query(
            url, "UPDATE face_clusters SET state = 'named', name = 'carol' WHERE cluster_id = $1", [person2])
        _ = try TestDatabase.query(
            url, "UPDATE detections SET cluster_id = $1, clustered = true WHERE frame_id = 8", [person1])
        let second = try await clusters.recompute(settings)
        #expect(second == .init(faces: 6, openBefore: 1, openAfter: 1, keptIDs: 1, joinedFixed: 0, waiting: 2))
        #expect(
            try TestDatabase.query(url, "SELECT frame_id, cluster_id, clustered FROM detections ORDER BY frame_id") == [
                ["1", person1, "t"], ["2", person2, "t"], ["3", person1, "t"], ["4", person2, "t"],
                ["5", person1, "t"], ["6", person2, "t"], ["7", person1, "t"], ["8", nil, "f"], ["9", nil, "f"],
            ])
        #expect(
            try TestDatabase.query(url, "SELECT cluster_id, state, faces FROM face_clusters ORDER BY cluster_id") == [
                [person1, "open", "4"], [person2, "named", "3"],
            ])
    }

    @Test("retention: old unlabelled crops and those beyond maxCrops go (rows and files), labelled ones stay")
    func retention() async throws {
        let (store, url) = try TestDatabase.freshStore()
        defer { store.close() }
        try await store.migrate()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("crops-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = FaceCropFiles(root: root.path)
        var faces = FaceClustererTests.Faces()
        // Event 1 at 1970 (old): four faces, the third labelled, the fourth's file already gone.
        var frame: [FaceResult] = []
        for index in 0..<4 {
            frame.append(unknownFace(index, faces.face(index), box: box(index * 50), crop: "1/1-\(index).jpg"))
        }
        frame[1].name = "bob"
        try await store.commit(results(event: 1, faces: [frame]), source: "zm")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("1"), withIntermediateDirectories: true)
        for index in 0..<3 { try Data([0xFF]).write(to: files.url(of: "1/1-\(index).jpg")) }
        try Data([0]).write(to: files.url(of: "1/notes.txt"))
        _ = try TestDatabase.query(url, "UPDATE detections SET label_kind = 'stranger' WHERE face_index = 2")
        let retention = CropRetention(conninfo: store.conninfoForTests, files: files, batch: 2)
        defer { retention.close() }
        var policy = CropRetentionPolicy()
        policy.unknownDays = 365 * 100
        policy.namedDays = 365 * 100
        #expect(try await retention.run(policy) == 0, "nothing is old enough")
        policy.maxCrops = 2
        #expect(try await retention.run(policy) == 2, "the two oldest unlabelled beyond 2 crops")
        policy = CropRetentionPolicy()
        #expect(try await retention.run(policy) == 1, "the last unlabelled one (its file was gone already: fine)")
        #expect(
            try TestDatabase.query(url, "SELECT face_index, crop FROM detections ORDER BY face_index") == [
                ["0", nil], ["1", nil], ["2", "1/1-2.jpg"], ["3", nil],
            ])
        let left = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("1").path).sorted()
        #expect(left == ["1-2.jpg", "notes.txt"], "the labelled face's crop and files zmface did not write stay")
        #expect(FaceCropFiles.isCropPath("12/3-0.jpg") && !FaceCropFiles.isCropPath("../1-2.jpg"))
        #expect(!FaceCropFiles.isCropPath("1/../../etc-0.jpg") && !FaceCropFiles.isCropPath("/1/1-0.jpg"))
    }
}
