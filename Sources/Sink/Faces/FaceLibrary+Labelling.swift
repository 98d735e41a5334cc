import Foundation
public import ZMFaceCore

/// The user's labelling: every change is one transaction that first locks the clusters it touches
/// (`FOR UPDATE`, in id order, so two changes never wait on each other in a circle), then checks
/// they still exist and are as the request assumed. Two browsers acting on the same clusters are
/// thereby serialised: the second one sees the first one's result (a cluster merged away is
/// `notFound`), and nothing is half done. Faces in a cluster carry the cluster's label: a named
/// cluster's faces are labelled with its name, an ignored cluster's faces as strangers, an open
/// cluster's faces not at all.
extension FaceLibrary {
    /// A labelled face with a crop: a training example (`zmface train`'s dataset).
    public struct TrainingFace: Sendable, Equatable {
        public var id: FaceKey
        /// The person, or nil for a stranger example.
        public var person: String?
        /// Relative to `faces.cropsPath`.
        public var crop: String
    }

    /// Runs `body` in one transaction, again (up to 3 times) when PostgreSQL ended it as a deadlock
    /// victim or a serialisation failure: the retry sees the other change's result.
    func change<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws
        -> Result
    {
        var attempt = 0
        while true {
            do {
                return try await client.withConnection { connection in try connection.transaction(body) }
            } catch PostgresError.rejected(let state, _) where (state == "40P01" || state == "40001") && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// Locks the clusters (in id order) and returns each one's state and name; throws `notFound`
    /// naming those that do not exist (any more).
    static func lockClusters(_ ids: [Int64], on connection: PostgresConnection) throws -> [Int64: (String, String?)] {
        let rows = try connection.execute(
            "SELECT cluster_id, state, name FROM face_clusters WHERE cluster_id = ANY($1::bigint[]) "
                + "ORDER BY cluster_id FOR UPDATE",
            [FaceSQL.array(ids)]
        ).rows
        var found: [Int64: (String, String?)] = [:]
        for row in rows {
            if let id = row[0].flatMap({ Int64($0) }) { found[id] = (row[1] ?? "open", row[2]) }
        }
        let missing = Set(ids).subtracting(found.keys).sorted()
        guard missing.isEmpty else {
            throw FaceLibraryError.notFound(
                (missing.count == 1 ? "cluster \(missing[0]) does not" : "clusters \(missing) do not")
                    + " exist (merged or deleted meanwhile?)")
        }
        return found
    }

    /// Labels for the faces of a cluster in `state` (named: the name as a person; ignored: stranger).
    private static func clusterLabel(state: String, name: String?) -> (label: String?, kind: String?) {
        switch state {
        case "named": (name, "person")
        case "ignored": (nil, "stranger")
        default: (nil, nil)
        }
    }

    private static func labelFaces(ofCluster id: Int64, state: String, name: String?, on connection: PostgresConnection)
        throws
    {
        let (label, kind) = clusterLabel(state: state, name: name)
        try connection.execute(
            """
            UPDATE detections SET label = $2::text, label_kind = $3::text,
                labelled_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END
            WHERE cluster_id = $1
            """, [String(id), label, kind])
    }

    /// Names the cluster `name`: all its faces become that person. Returns how many faces.
    @discardableResult
    public func labelCluster(_ id: Int64, name: String) async throws -> Int {
        try await change { connection in
            _ = try Self.lockClusters([id], on: connection)
            try connection.execute(
                "UPDATE face_clusters SET state = 'named', name = $2, updated_at = now() WHERE cluster_id = $1",
                [String(id), name])
            try Self.labelFaces(ofCluster: id, state: "named", name: name, on: connection)
            return try Self.faceCount(ofCluster: id, on: connection)
        }
    }

    /// Ignores the cluster: never offered again, its faces kept as stranger examples.
    @discardableResult
    public func ignoreCluster(_ id: Int64) async throws -> Int {
        try await change { connection in
            _ = try Self.lockClusters([id], on: connection)
            try connection.execute(
                "UPDATE face_clusters SET state = 'ignored', name = NULL, updated_at = now() WHERE cluster_id = $1",
                [String(id)])
            try Self.labelFaces(ofCluster: id, state: "ignored", name: nil, on: connection)
            return try Self.faceCount(ofCluster: id, on: connection)
        }
    }

    /// Moves every face of `from` into `into` (they take `into`'s label) and deletes `from`.
    /// Returns the merged cluster's face count.
    @discardableResult
    public func mergeClusters(into: Int64, from: [Int64]) async throws -> Int {
        let from = Array(Set(from)).sorted()
        guard !from.isEmpty else { throw FaceLibraryError.invalid("\"from\" must name at least one cluster") }
        guard !from.contains(into) else {
            throw FaceLibraryError.invalid("cluster \(into) cannot be merged into itself")
        }
        return try await change { connection in
            let clusters = try Self.lockClusters([into] + from, on: connection)
            let fromArray = FaceSQL.array(from)
            try connection.execute(
                "UPDATE detections SET cluster_id = $1 WHERE cluster_id = ANY($2::bigint[])", [String(into), fromArray])
            try connection.execute("DELETE FROM face_clusters WHERE cluster_id = ANY($1::bigint[])", [fromArray])
            let (state, name) = clusters[into]!
            try Self.labelFaces(ofCluster: into, state: state, name: name, on: connection)
            try connection.execute(FaceSQL.refreshCluster, [String(into)])
            return try Self.faceCount(ofCluster: into, on: connection)
        }
    }

    /// Moves `faces` out of cluster `id` into a new open cluster (unlabelled, to be reviewed);
    /// returns the new cluster's id. Every face must be in the cluster, and some must stay.
    public func splitCluster(_ id: Int64, faces: [FaceKey]) async throws -> Int64 {
        let faces = Array(Set(faces)).sorted()
        guard !faces.isEmpty else { throw FaceLibraryError.invalid("\"faces\" must name at least one face") }
        return try await change { connection in
            _ = try Self.lockClusters([id], on: connection)
            let arrays = FaceSQL.arrays(faces)
            let inside = Set(
                try connection.execute(
                    """
                    SELECT \(FaceSQL.faceID()) FROM detections d
                    JOIN unnest($2::bigint[], $3::int[], $4::int[]) AS f(e, fr, i)
                        ON d.event_id = f.e AND d.frame_id = f.fr AND d.face_index = f.i
                    WHERE d.cluster_id = $1 FOR UPDATE OF d
                    """, [String(id)] + arrays
                ).column(String.self))
            if let stranger = faces.first(where: { !inside.contains($0.description) }) {
                throw FaceLibraryError.conflict("face \(stranger) is not in cluster \(id)")
            }
            guard try Self.faceCount(ofCluster: id, on: connection) > faces.count else {
                throw FaceLibraryError.invalid("a split must leave at least one face in cluster \(id)")
            }
            guard
                let newID = try connection.execute(
                    "INSERT INTO face_clusters (state, centroid) VALUES ('open', '{}') RETURNING cluster_id"
                ).scalar(Int64.self)
            else { throw FaceLibraryError.conflict("the new cluster could not be made") }
            try connection.execute(
                """
                UPDATE detections d SET cluster_id = $1, label = NULL, label_kind = NULL, labelled_at = NULL
                FROM unnest($2::bigint[], $3::int[], $4::int[]) AS f(e, fr, i)
                WHERE d.event_id = f.e AND d.frame_id = f.fr AND d.face_index = f.i
                """, [String(newID)] + arrays)
            try connection.execute(FaceSQL.refreshCluster, [String(id)])
            try connection.execute(FaceSQL.refreshCluster, [String(newID)])
            return newID
        }
    }

    /// Deletes the cluster; its faces leave review (clustered, no cluster, no label) and lose their
    /// crops. Returns the crop files (relative to the crops folder) the caller should remove now
    /// that the change is committed.
    public func deleteCluster(_ id: Int64) async throws -> [String] {
        try await change { connection in
            _ = try Self.lockClusters([id], on: connection)
            let crops = try connection.execute(
                """
                WITH old AS (SELECT event_id, frame_id, face_index, crop FROM detections WHERE cluster_id = $1 FOR UPDATE)
                UPDATE detections d SET cluster_id = NULL, clustered = true, crop = NULL, label = NULL,
                    label_kind = NULL, labelled_at = NULL
                FROM old WHERE d.event_id = old.event_id AND d.frame_id = old.frame_id AND d.face_index = old.face_index
                RETURNING old.crop
                """, [String(id)]
            ).column(String.self)
            try connection.execute("DELETE FROM face_clusters WHERE cluster_id = $1", [String(id)])
            return crops
        }
    }

    /// "This is `person`" (nil: a stranger, "not this person"). A face whose cluster says otherwise
    /// leaves the cluster (its label is the user's word about this face alone).
    public func correctFace(_ face: FaceKey, person: String?) async throws {
        try await change { connection in
            let cluster = try Self.lockFace(face, on: connection)
            let kind = person == nil ? "stranger" : "person"
            var keepsCluster = false
            if let cluster {
                let (state, name) = try Self.lockClusters([cluster], on: connection)[cluster]!
                keepsCluster = (state == "named" && name == person) || (state == "ignored" && person == nil)
            }
            try connection.execute(
                """
                UPDATE detections SET label = $4::text, label_kind = $5::text, labelled_at = now(),
                    cluster_id = CASE WHEN $6::boolean THEN cluster_id END, clustered = true
                WHERE event_id = $1 AND frame_id = $2 AND face_index = $3
                """,
                [
                    String(face.eventID), String(face.frameID), String(face.faceIndex), person, kind,
                    keepsCluster ? "true" : "false",
                ])
            if let cluster, !keepsCluster { try connection.execute(FaceSQL.refreshCluster, [String(cluster)]) }
        }
    }

    /// Removes the user's label from the face. A face outside any cluster goes back to the
    /// clustering pass; one in a cluster stays there (a named cluster's face is then a suggestion).
    public func clearFace(_ face: FaceKey) async throws {
        try await change { connection in
            _ = try Self.lockFace(face, on: connection)
            try connection.execute(
                """
                UPDATE detections SET label = NULL, label_kind = NULL, labelled_at = NULL,
                    clustered = clustered AND cluster_id IS NOT NULL
                WHERE event_id = $1 AND frame_id = $2 AND face_index = $3
                """, [String(face.eventID), String(face.frameID), String(face.faceIndex)])
        }
    }

    /// The face's cluster (nil: none), with the face row locked; `notFound` when there is no such face.
    /// The cluster is read first and locked before the face, in the order every change takes.
    private static func lockFace(_ face: FaceKey, on connection: PostgresConnection) throws -> Int64? {
        let key = [String(face.eventID), String(face.frameID), String(face.faceIndex)]
        let where_ = "WHERE event_id = $1 AND frame_id = $2 AND face_index = $3"
        guard let row = try connection.execute("SELECT cluster_id FROM detections \(where_)", key).rows.first else {
            throw FaceLibraryError.notFound("face \(face) does not exist")
        }
        let cluster = row[0].flatMap { Int64($0) }
        if let cluster { _ = try? lockClusters([cluster], on: connection) }
        let locked = try connection.execute("SELECT cluster_id FROM detections \(where_) FOR UPDATE", key).rows
        guard let now = locked.first else { throw FaceLibraryError.notFound("face \(face) does not exist") }
        guard now[0].flatMap({ Int64($0) }) == cluster else {
            throw FaceLibraryError.conflict("face \(face) changed cluster meanwhile; reload and try again")
        }
        return cluster
    }

    /// Renames a person everywhere the user's word is stored (labels and named clusters); returns how
    /// many faces carried the old label. `alsoInTransaction` runs before the commit (the dataset
    /// folder's rename), so a failure there leaves the database as it was.
    @discardableResult
    public func renamePerson(_ old: String, to new: String, alsoInTransaction: @escaping @Sendable () throws -> Void)
        async throws -> Int
    {
        try await change { connection in
            // Named clusters of the person, locked in id order like every other change.
            let ids = try connection.execute(
                "SELECT cluster_id FROM face_clusters WHERE name = $1 ORDER BY cluster_id", [old]
            ).column(Int64.self)
            if !ids.isEmpty { _ = try Self.lockClusters(ids, on: connection) }
            try connection.execute(
                "UPDATE face_clusters SET name = $2, updated_at = now() WHERE name = $1 AND state = 'named'",
                [old, new])
            let faces = try connection.execute(
                "UPDATE detections SET label = $2, labelled_at = now() WHERE label = $1 RETURNING 1", [old, new]
            ).rows.count
            try alsoInTransaction()
            return faces
        }
    }

    /// The face's label is removed when it is `person`'s (nil: stranger) — an exported training photo
    /// deleted from the People page. Returns whether a label was removed.
    @discardableResult
    public func unlabel(_ face: FaceKey, ifLabelled person: String?) async throws -> Bool {
        try await change { connection in
            !(try connection.execute(
                """
                UPDATE detections SET label = NULL, label_kind = NULL, labelled_at = NULL
                WHERE event_id = $1 AND frame_id = $2 AND face_index = $3 AND label IS NOT DISTINCT FROM $4::text
                    AND label_kind = $5::text RETURNING 1
                """,
                [
                    String(face.eventID), String(face.frameID), String(face.faceIndex), person,
                    person == nil ? "stranger" : "person",
                ]
            ).rows.isEmpty)
        }
    }

    /// Every labelled face that has a crop: what the next training exports.
    public func trainingFaces() async throws -> [TrainingFace] {
        try await client.withConnection { connection in
            try connection.execute(
                """
                SELECT event_id, frame_id, face_index, label, crop FROM detections
                WHERE label_kind IS NOT NULL AND crop IS NOT NULL ORDER BY event_id, frame_id, face_index
                """
            ).rows.compactMap { row in
                guard let event = row[0].flatMap({ Int64($0) }), let frame = row[1].flatMap({ Int($0) }),
                    let index = row[2].flatMap({ Int($0) }), let crop = row[4] ?? nil
                else { return nil }
                return TrainingFace(
                    id: FaceKey(eventID: event, frameID: frame, faceIndex: index), person: row[3], crop: crop)
            }
        }
    }

    private static func faceCount(ofCluster id: Int64, on connection: PostgresConnection) throws -> Int {
        try connection.execute("SELECT count(*) FROM detections WHERE cluster_id = $1", [String(id)]).scalar(Int.self)
            ?? 0
    }
}
