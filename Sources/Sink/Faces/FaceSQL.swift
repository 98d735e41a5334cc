import ZMFaceCore

/// SQL fragments the faces page's queries share, so a face looks the same in every answer.
enum FaceSQL {
    /// The name a face is shown with: the user's label outranks the model's name; a stranger label
    /// shows as unknown (null).
    static func shownName(_ d: String = "d") -> String {
        "CASE WHEN \(d).label_kind = 'stranger' THEN NULL ELSE COALESCE(\(d).label, \(d).name) END"
    }

    static func faceID(_ d: String = "d") -> String {
        "(\(d).event_id || '-' || \(d).frame_id || '-' || \(d).face_index)"
    }

    /// The crop's URL on the page's server, null without a crop.
    static func cropURL(_ d: String = "d") -> String {
        "CASE WHEN \(d).crop IS NULL THEN NULL ELSE '/crops/' || \(d).crop END"
    }

    /// One face as the API shows it (times are ISO 8601 in UTC: the connection's zone is UTC).
    static func faceJSON(_ d: String = "d") -> String {
        """
        json_build_object('id', \(faceID(d)), 'eventId', \(d).event_id, 'frameId', \(d).frame_id,
            'faceIndex', \(d).face_index, 'time', \(d).time, 'monitorId', \(d).monitor_id, 'crop', \(cropURL(d)),
            'name', \(shownName(d)), 'modelName', \(d).name, 'label', \(d).label, 'labelKind', \(d).label_kind,
            'probability', \(d).probability, 'confidence', \(d).confidence, 'status', \(d).status,
            'clusterId', \(d).cluster_id)
        """
    }

    /// Recomputes a cluster's centroid (mean of its members' encodings), size and first/last seen;
    /// $1 is the cluster id. An empty cluster keeps its old centroid and counts 0 faces.
    static let refreshCluster = """
        WITH members AS (SELECT encoding, time FROM detections WHERE cluster_id = $1),
        dims AS (SELECT u.i, avg(u.v) AS v FROM members m, unnest(m.encoding) WITH ORDINALITY AS u(v, i)
                 GROUP BY u.i),
        stats AS (SELECT count(*) AS n, min(time) AS first, max(time) AS last FROM members)
        UPDATE face_clusters SET
            centroid = COALESCE((SELECT array_agg(v ORDER BY i)::real[] FROM dims), centroid),
            faces = stats.n, first_seen = stats.first, last_seen = stats.last, updated_at = now()
        FROM stats WHERE cluster_id = $1
        """

    /// Rows of `faces` as three parallel arrays for `unnest($n::bigint[], $n+1::int[], $n+2::int[])`.
    static func arrays(_ faces: [FaceKey]) -> [String] {
        [array(faces.map(\.eventID)), array(faces.map(\.frameID)), array(faces.map(\.faceIndex))]
    }

    /// A PostgreSQL array's text form (`{1,2,3}`), for a `$n::bigint[]`, `int[]` or `real[]` parameter.
    static func array(_ values: [some LosslessStringConvertible]) -> String {
        "{" + values.map(\.description).joined(separator: ",") + "}"
    }

    /// The same with NULL elements.
    static func array(_ values: [(some LosslessStringConvertible)?]) -> String {
        "{" + values.map { $0?.description ?? "NULL" }.joined(separator: ",") + "}"
    }
}
