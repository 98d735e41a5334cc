import Foundation
public import ZMFaceCore

/// The clusters of unknown faces in PostgreSQL (`face_clusters`, `detections.cluster_id`), run by
/// `FaceClusterer` on this store's connection thread. Unknown faces are those the model did not
/// name and the user did not label, with an encoding; a face *waits* while it is `NOT clustered`.
/// Every pass holds a transaction-level advisory lock, so instances sharing the database never
/// cluster at the same time (a pass that finds the lock taken skips its turn).
public final class FaceClusterStore: Sendable {
    private let client: PostgresClient
    /// `pg_advisory_xact_lock` key of clustering (migrations use 7426110).
    static let lockKey = "7426111"

    public init(conninfo: String) {
        client = PostgresClient(conninfo: conninfo, name: "postgres-clusters")
    }

    public func close() { client.close() }

    /// Brings the schema up to date (the services may start before ingestion has migrated it).
    public func migrate() async throws {
        _ = try await client.withConnection { try SchemaMigrations.apply(on: $0) }
    }

    /// Encodings of the faces that were waiting after the last pass, so a pass reads only the
    /// encodings of faces new since then (a waiting face may wait for a long time).
    public typealias Waiting = [FaceKey: [Float]]

    public struct PassReport: Sendable, Equatable {
        public var newFaces = 0
        public var joined = 0
        public var formedClusters = 0
        public var formedFaces = 0
        public var waiting = 0
        /// Faces that waited `maxWait` without company and stopped waiting.
        public var expired = 0
    }

    /// One incremental pass: new unknown faces join the nearest cluster within the distance, or
    /// wait, and waiting faces with enough waiting neighbours form new open clusters; then they are
    /// `clustered`. A face stored more than `maxWait` ago that is still waiting (a passer-by seen
    /// once) stops waiting: it is marked `clustered` with no cluster, so the waiting faces, which
    /// every pass holds and searches, stay those of the last `maxWait` however long the server runs.
    /// Nil when another instance holds the lock.
    public func pass(_ settings: FaceClusterSettings, waiting known: Waiting, maxWait: Duration? = nil) async throws
        -> (PassReport, Waiting)?
    {
        try await client.withConnection { connection in
            try connection.transaction { connection -> (PassReport, Waiting)? in
                guard try connection.execute("SELECT pg_try_advisory_xact_lock(\(Self.lockKey))").rows.first?[0] == "t"
                else { return nil }
                var expired = 0
                if let maxWait {
                    // Stored (committed) that long ago, not captured: a backfill of old events still clusters.
                    expired = try connection.execute(
                        """
                        UPDATE detections d SET clustered = true FROM events e
                        WHERE e.event_id = d.event_id AND NOT d.clustered AND d.cluster_id IS NULL
                            AND d.name IS NULL AND d.label IS NULL AND d.encoding IS NOT NULL
                            AND e.processed_at < now() - make_interval(secs => $1::float8)
                        RETURNING 1
                        """, [String(Double(maxWait.components.seconds))]
                    ).rows.count
                }
                let waitingKeys = try connection.execute(
                    """
                    SELECT event_id, frame_id, face_index FROM detections
                    WHERE NOT clustered AND name IS NULL AND label IS NULL AND encoding IS NOT NULL
                    ORDER BY time, event_id, frame_id, face_index
                    """
                ).rows.compactMap(Self.key)
                let fresh = waitingKeys.filter { known[$0] == nil }
                if fresh.isEmpty {
                    // Nothing new: no face can join or form anything (the waiting ones were tried
                    // when they came), so the index of the waiting faces is not rebuilt for nothing.
                    let still = Set(waitingKeys)
                    return (
                        PassReport(waiting: waitingKeys.count, expired: expired),
                        known.filter { still.contains($0.key) }
                    )
                }
                let clusters = try Self.clusters(where: "true", on: connection)
                let encodings = try Self.encodings(of: fresh, on: connection)
                var clusterer = FaceClusterer<FaceKey>(settings: settings, clusters: clusters)
                var report = PassReport(newFaces: fresh.count, expired: expired)
                var all: Waiting = [:]
                for key in waitingKeys {
                    if let encoding = known[key] {
                        clusterer.addWaiting(key, encoding: encoding)
                        all[key] = encoding
                    }
                }
                for key in fresh {
                    guard let encoding = encodings[key] else { continue }
                    clusterer.place(key, encoding: encoding)
                    all[key] = encoding
                }
                let ids = try Self.save(clusterer, existing: clusters.count, keptIDs: nil, on: connection)
                try Self.assign(clusterer.assignments.map { ($0.key, ids[$0.value]) }, on: connection)
                report.joined = clusterer.assignments.values.filter { $0 < clusters.count }.count
                report.formedClusters = clusterer.clusters.count - clusters.count
                report.formedFaces = clusterer.assignments.count - report.joined
                let stillWaiting = clusterer.waitingFaces
                report.waiting = stillWaiting.count
                return (report, Dictionary(uniqueKeysWithValues: stillWaiting.map { ($0, all[$0]!) }))
            }
        }
    }

    public struct RecomputeReport: Sendable, Equatable {
        /// Faces of open clusters and waiting faces that were clustered again.
        public var faces = 0
        public var openBefore = 0
        public var openAfter = 0
        /// Open clusters that kept their id (same or mostly the same faces).
        public var keptIDs = 0
        /// Faces that joined a named or ignored cluster.
        public var joinedFixed = 0
        public var waiting = 0
    }

    /// `zmface cluster`: the open clusters made again from all their faces and the waiting ones,
    /// by the same rule in time order. Named and ignored clusters keep their faces (new faces may
    /// still join them, as in a pass); labelled faces are not moved. A new cluster keeps the id
    /// of the old one it mostly is (`FaceClusterer.keptIDs`); open clusters nothing became are
    /// deleted. Waits for a running pass to finish.
    public func recompute(_ settings: FaceClusterSettings) async throws -> RecomputeReport {
        try await client.withConnection { connection in
            try connection.transaction { connection -> RecomputeReport in
                try connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
                let fixed = try Self.clusters(where: "state <> 'open'", on: connection)
                let openBefore = try connection.execute("SELECT cluster_id FROM face_clusters WHERE state = 'open'")
                    .column(Int64.self)
                let rows = try connection.execute(
                    """
                    SELECT d.event_id, d.frame_id, d.face_index, d.encoding::text, d.cluster_id
                    FROM detections d LEFT JOIN face_clusters c USING (cluster_id)
                    WHERE d.name IS NULL AND d.label IS NULL AND d.encoding IS NOT NULL
                        AND ((NOT d.clustered AND d.cluster_id IS NULL) OR c.state = 'open')
                    ORDER BY d.time, d.event_id, d.frame_id, d.face_index
                    """
                ).rows
                var clusterer = FaceClusterer<FaceKey>(settings: settings, clusters: fixed)
                var previous: [FaceKey: Int64] = [:]
                var keys: [FaceKey] = []
                for row in rows {
                    guard let key = Self.key(row), let encoding = Self.floats(row[3]) else { continue }
                    keys.append(key)
                    if let id = row[4].flatMap({ Int64($0) }) { previous[key] = id }
                    clusterer.place(key, encoding: encoding)
                }
                var formed = [[FaceKey]](repeating: [], count: clusterer.clusters.count - fixed.count)
                for (key, index) in clusterer.assignments where index >= fixed.count {
                    formed[index - fixed.count].append(key)
                }
                let kept = FaceClusterer<FaceKey>.keptIDs(formed: formed, previous: previous)
                let ids = try Self.save(clusterer, existing: fixed.count, keptIDs: kept, on: connection)
                let waiting = clusterer.waitingFaces
                try Self.assign(
                    clusterer.assignments.map { ($0.key, ids[$0.value]) } + waiting.map { ($0, nil) }, on: connection)
                // Open clusters that no formed cluster became (nor kept the id of) are gone.
                try connection.execute(
                    "DELETE FROM face_clusters WHERE state = 'open' AND NOT (cluster_id = ANY($1::bigint[]))",
                    [FaceSQL.array(Array(ids[fixed.count...]))])
                let keptSet = Set(kept.compactMap { $0 })
                return RecomputeReport(
                    faces: keys.count, openBefore: openBefore.count, openAfter: formed.count, keptIDs: keptSet.count,
                    joinedFixed: clusterer.assignments.values.filter { $0 < fixed.count }.count,
                    waiting: waiting.count)
            }
        }
    }

    // MARK: - SQL helpers

    private static func clusters(where condition: String, on connection: PostgresConnection) throws
        -> [FaceClusterer<FaceKey>.Cluster]
    {
        try connection.execute(
            "SELECT cluster_id, centroid::text, faces FROM face_clusters WHERE \(condition) ORDER BY cluster_id"
        ).rows.compactMap { row in
            guard let id = row[0].flatMap({ Int64($0) }) else { return nil }
            return .init(id: id, centroid: floats(row[1]) ?? [], faces: row[2].flatMap { Int($0) } ?? 0)
        }
    }

    private static func encodings(of keys: [FaceKey], on connection: PostgresConnection) throws -> [FaceKey: [Float]] {
        guard !keys.isEmpty else { return [:] }
        var found: [FaceKey: [Float]] = [:]
        for row in try connection.execute(
            """
            SELECT d.event_id, d.frame_id, d.face_index, d.encoding::text
            FROM detections d JOIN unnest($1::bigint[], $2::int[], $3::int[]) AS k(e, f, i)
                ON d.event_id = k.e AND d.frame_id = k.f AND d.face_index = k.i
            """, FaceSQL.arrays(keys)
        ).rows {
            if let key = key(row), let encoding = floats(row[3]) { found[key] = encoding }
        }
        return found
    }

    /// Writes the clusters the run touched: new ones are inserted (or take the kept id of a
    /// recompute), changed ones get their centroid (`assign` then recounts them from their
    /// faces). Returns each cluster's id by index.
    private static func save(
        _ clusterer: FaceClusterer<FaceKey>, existing: Int, keptIDs: [Int64?]?, on connection: PostgresConnection
    ) throws -> [Int64] {
        var ids: [Int64] = []
        for (index, cluster) in clusterer.clusters.enumerated() {
            let centroid = FaceSQL.array(cluster.centroid)
            if let id = cluster.id {
                ids.append(id)
                guard cluster.touched else { continue }
                try connection.execute(
                    "UPDATE face_clusters SET centroid = $2::real[], updated_at = now() WHERE cluster_id = $1",
                    [String(id), centroid])
            } else if index >= existing, let keptIDs, let kept = keptIDs[index - existing] {
                try connection.execute(
                    "UPDATE face_clusters SET centroid = $2::real[], updated_at = now() WHERE cluster_id = $1",
                    [String(kept), centroid])
                ids.append(kept)
            } else {
                let id = try connection.execute(
                    "INSERT INTO face_clusters (state, centroid) VALUES ('open', $1::real[]) RETURNING cluster_id",
                    [centroid]
                ).scalar(Int64.self)!
                ids.append(id)
            }
        }
        return ids
    }

    /// Sets the faces' clusters (nil: waiting again) and recounts the clusters involved.
    private static func assign(_ placements: [(FaceKey, Int64?)], on connection: PostgresConnection) throws {
        guard !placements.isEmpty else { return }
        let keys = placements.map(\.0)
        let clusterIDs = FaceSQL.array(placements.map(\.1))
        try connection.execute(
            """
            UPDATE detections d SET cluster_id = k.c, clustered = k.c IS NOT NULL
            FROM unnest($1::bigint[], $2::int[], $3::int[], $4::bigint[]) AS k(e, f, i, c)
            WHERE d.event_id = k.e AND d.frame_id = k.f AND d.face_index = k.i
            """, FaceSQL.arrays(keys) + [clusterIDs])
        let touched = Array(Set(placements.compactMap(\.1)))
        try connection.execute(
            """
            UPDATE face_clusters c SET faces = s.n, first_seen = s.first, last_seen = s.last, updated_at = now()
            FROM (SELECT cluster_id, count(*)::int AS n, min(time) AS first, max(time) AS last FROM detections
                  WHERE cluster_id = ANY($1::bigint[]) GROUP BY cluster_id) s
            WHERE c.cluster_id = s.cluster_id
            """, [FaceSQL.array(touched)])
    }

    static func key(_ row: [String?]) -> FaceKey? {
        guard let event = row[0].flatMap({ Int64($0) }), let frame = row[1].flatMap({ Int($0) }),
            let face = row[2].flatMap({ Int($0) })
        else { return nil }
        return FaceKey(eventID: event, frameID: frame, faceIndex: face)
    }

    /// A `real[]` in PostgreSQL's text form.
    static func floats(_ text: String?) -> [Float]? {
        guard let text, text.hasPrefix("{"), text.hasSuffix("}") else { return nil }
        let values = text.dropFirst().dropLast().split(separator: ",").compactMap { Float($0) }
        return values.isEmpty ? nil : values
    }
}
