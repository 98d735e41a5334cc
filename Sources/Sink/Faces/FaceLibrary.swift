import Foundation

/// The faces page's view of the results: events with the people seen, clusters of unknown faces,
/// people and their faces, and the user's labelling (`FaceLibrary+Labelling`). Reads come back as
/// JSON text built by PostgreSQL itself (one round trip per page, no row-by-row decoding); every
/// query is paged and runs on an index. Its own connection on its own thread, apart from ingestion's.
public final class FaceLibrary: Sendable {
    let client: PostgresClient

    public init(conninfo: String) {
        client = PostgresClient(conninfo: conninfo, name: "postgres-faces")
    }

    public func close() {
        client.close()
    }

    /// Brings the schema up to date (a `serve` without ingestion has nobody else to do it).
    public func migrate() async throws {
        _ = try await client.withConnection { try SchemaMigrations.apply(on: $0) }
    }

    /// One query's JSON text (the first column of the first row).
    func json(_ sql: String, _ parameters: [String?]) async throws -> String {
        try await client.withConnection { connection in
            try connection.execute(sql, parameters).rows.first?.first.flatMap { $0 } ?? "null"
        }
    }

    /// Events newest first, `limit` of them below `before` (an event id; nil: the newest), of one
    /// monitor and/or with one person: `{"events": [...], "nextBefore": id|null}`.
    public func events(before: Int64?, limit: Int, monitor: Int?, person: String?, zoneminderURL: String?)
        async throws -> String
    {
        try await json(
            """
            WITH page AS (
                SELECT e.* FROM events e
                WHERE ($1::bigint IS NULL OR e.event_id < $1::bigint) AND ($2::int IS NULL OR e.monitor_id = $2::int)
                    AND ($3::text IS NULL OR e.event_id IN (
                        SELECT event_id FROM detections WHERE label = $3::text
                        UNION SELECT event_id FROM detections WHERE name = $3::text AND label_kind IS NULL))
                ORDER BY e.event_id DESC LIMIT $4::int)
            SELECT json_build_object(
                'events', COALESCE(json_agg(json_build_object(
                    'id', p.event_id, 'monitor', json_build_object('id', p.monitor_id, 'name', p.monitor_name),
                    'start', p.start_time, 'end', p.end_time, 'cause', p.cause, 'outcome', p.outcome,
                    'faces', p.faces, 'people', COALESCE(people.list, '[]'::json),
                    'unknown', unknown.groups, 'unknownFaces', COALESCE(unknown.faces, '[]'::json),
                    'zoneminderURL', CASE WHEN $5::text IS NULL THEN NULL
                        ELSE $5::text || '/index.php?view=event&eid=' || p.event_id END
                ) ORDER BY p.event_id DESC), '[]'::json),
                'nextBefore', CASE WHEN count(*) = $4::int THEN min(p.event_id) END)
            FROM page p
            LEFT JOIN LATERAL (
                -- the people decided for the event (or labelled by the user), each with its best face
                SELECT json_agg(json_build_object('name', s.shown, 'faceId', s.id, 'crop', s.crop,
                    'labelled', s.labelled) ORDER BY s.shown) AS list
                FROM (SELECT DISTINCT ON (f.shown) f.* FROM (
                        SELECT \(FaceSQL.shownName()) AS shown, \(FaceSQL.faceID()) AS id, \(FaceSQL.cropURL()) AS crop,
                            d.label IS NOT NULL AS labelled, d.probability, d.confidence
                        FROM detections d WHERE d.event_id = p.event_id) f
                    WHERE f.shown IS NOT NULL AND (f.labelled OR EXISTS (
                        SELECT 1 FROM event_summaries es
                        WHERE es.event_id = p.event_id AND es.name = f.shown AND es.seen IS NOT FALSE))
                    ORDER BY f.shown, f.labelled DESC, f.crop IS NULL, f.probability DESC NULLS LAST,
                        f.confidence DESC) s) people ON true
            LEFT JOIN LATERAL (
                SELECT (SELECT count(*) FROM event_summaries es WHERE es.event_id = p.event_id AND es.name IS NULL)
                    AS groups,
                    (SELECT json_agg(json_build_object('faceId', u.id, 'crop', u.crop))
                     FROM (SELECT \(FaceSQL.faceID()) AS id, \(FaceSQL.cropURL()) AS crop FROM detections d
                           WHERE d.event_id = p.event_id AND d.encoding IS NOT NULL AND \(FaceSQL.shownName()) IS NULL
                           ORDER BY d.crop IS NULL, d.confidence DESC LIMIT 4) u) AS faces) unknown ON true
            """,
            [before.map(String.init), monitor.map(String.init), person, String(limit), zoneminderURL])
    }

    /// Clusters in `state` (open, named or ignored), most recently seen first:
    /// `{"total": n, "clusters": [{id, state, name, faces, firstSeen, lastSeen, cameras, samples}]}`.
    public func clusters(state: String, limit: Int, offset: Int) async throws -> String {
        try await json(
            """
            WITH page AS (
                SELECT * FROM face_clusters WHERE state = $1
                ORDER BY last_seen DESC NULLS LAST, cluster_id DESC LIMIT $2::int OFFSET $3::int)
            SELECT json_build_object(
                'total', (SELECT count(*) FROM face_clusters WHERE state = $1),
                'clusters', COALESCE(json_agg(json_build_object(
                    'id', c.cluster_id, 'state', c.state, 'name', c.name, 'faces', c.faces,
                    'firstSeen', c.first_seen, 'lastSeen', c.last_seen,
                    'cameras', COALESCE(cameras.list, '[]'::json), 'samples', COALESCE(samples.list, '[]'::json))
                    ORDER BY c.last_seen DESC NULLS LAST, c.cluster_id DESC), '[]'::json))
            FROM page c
            LEFT JOIN LATERAL (
                SELECT json_agg(DISTINCT e.monitor_name) AS list
                FROM detections d JOIN events e ON e.event_id = d.event_id WHERE d.cluster_id = c.cluster_id
            ) cameras ON true
            LEFT JOIN LATERAL (
                SELECT json_agg(json_build_object('id', s.id, 'crop', s.crop)) AS list
                FROM (SELECT \(FaceSQL.faceID()) AS id, \(FaceSQL.cropURL()) AS crop FROM detections d
                      WHERE d.cluster_id = c.cluster_id ORDER BY d.crop IS NULL, d.confidence DESC LIMIT 8) s
            ) samples ON true
            """, [state, String(limit), String(offset)])
    }

    /// The cameras that have events, by name: `{"cameras": [{"id", "name", "events", "lastEvent"}]}`
    /// (a camera renamed in ZoneMinder shows under its newest name).
    public func cameras() async throws -> String {
        try await json(
            """
            SELECT json_build_object('cameras', COALESCE(json_agg(json_build_object(
                'id', c.monitor_id, 'name', c.name, 'events', c.n, 'lastEvent', c.last) ORDER BY c.name, c.monitor_id),
                '[]'::json))
            FROM (SELECT monitor_id, (array_agg(monitor_name ORDER BY event_id DESC))[1] AS name, count(*) AS n,
                      max(start_time) AS last
                  FROM events GROUP BY monitor_id) c
            """, [])
    }

    /// The faces of one cluster, newest first: `{"cluster": {...}, "total": n, "faces": [...]}`.
    public func clusterFaces(_ id: Int64, limit: Int, offset: Int) async throws -> String {
        let answer = try await json(
            """
            SELECT json_build_object(
                'cluster', json_build_object('id', c.cluster_id, 'state', c.state, 'name', c.name, 'faces', c.faces,
                    'firstSeen', c.first_seen, 'lastSeen', c.last_seen),
                'total', (SELECT count(*) FROM detections WHERE cluster_id = c.cluster_id),
                'faces', COALESCE((SELECT json_agg(f.face ORDER BY f.time DESC, f.id) FROM (
                    SELECT \(FaceSQL.faceJSON()) AS face, d.time, \(FaceSQL.faceID()) AS id FROM detections d
                    WHERE d.cluster_id = c.cluster_id ORDER BY d.time DESC LIMIT $2::int OFFSET $3::int) f), '[]'::json))
            FROM face_clusters c WHERE c.cluster_id = $1
            """, [String(id), String(limit), String(offset)])
        guard answer != "null" else { throw FaceLibraryError.notFound("cluster \(id) does not exist") }
        return answer
    }

    /// Everyone the page knows: labelled by the user, named by the model, named clusters, and the
    /// dataset's folders (`trainingPhotos`: folder name → photo count), with a few recent faces each.
    public func people(trainingPhotos: [String: Int], recent: Int = 4) async throws -> String {
        try await json(
            """
            WITH labelled AS (SELECT label AS name, count(*) AS n, max(time) AS last FROM detections
                              WHERE label IS NOT NULL GROUP BY label),
            named AS (SELECT name, count(*) AS n, max(time) AS last FROM detections
                      WHERE name IS NOT NULL AND label_kind IS NULL GROUP BY name),
            clusters AS (SELECT name, count(*) AS n FROM face_clusters WHERE state = 'named' GROUP BY name),
            photos AS (SELECT key AS name, value::int AS n FROM json_each_text($1::json)),
            everyone AS (SELECT name FROM labelled UNION SELECT name FROM named UNION SELECT name FROM clusters
                         UNION SELECT name FROM photos)
            SELECT COALESCE(json_agg(json_build_object(
                'name', p.name, 'trainingPhotos', COALESCE(ph.n, 0), 'labelledFaces', COALESCE(l.n, 0),
                'recognizedFaces', COALESCE(m.n, 0), 'clusters', COALESCE(c.n, 0),
                'lastSeen', GREATEST(l.last, m.last), 'recent', COALESCE(r.list, '[]'::json)) ORDER BY p.name), '[]'::json)
            FROM everyone p
            LEFT JOIN labelled l ON l.name = p.name LEFT JOIN named m ON m.name = p.name
            LEFT JOIN clusters c ON c.name = p.name LEFT JOIN photos ph ON ph.name = p.name
            LEFT JOIN LATERAL (
                SELECT json_agg(x.face ORDER BY x.time DESC) AS list FROM (
                    SELECT * FROM (
                        -- OFFSET 0 keeps the label index: ordered by time, the planner would scan every
                        -- face newest first looking for a label that few (or no) faces have.
                        (SELECT \(FaceSQL.faceJSON()) AS face, d.time
                         FROM (SELECT * FROM detections WHERE label = p.name OFFSET 0) d
                         ORDER BY d.time DESC LIMIT $2::int)
                        UNION ALL
                        (SELECT \(FaceSQL.faceJSON()) AS face, d.time FROM detections d
                         WHERE d.name = p.name AND d.label_kind IS NULL ORDER BY d.time DESC LIMIT $2::int)) y
                    ORDER BY y.time DESC LIMIT $2::int) x) r ON true
            """, [try Self.jsonText(trainingPhotos), String(recent)])
    }

    /// One person's faces (labelled so by the user, or named by the model and not relabelled), newest
    /// first, with the training photos the caller found (`photos`: JSON):
    /// `{"name", "photos", "total": n, "faces": [...]}`.
    public func personFaces(_ name: String, photos: String, limit: Int, offset: Int) async throws -> String {
        try await json(
            """
            SELECT json_build_object('name', $1::text, 'photos', $4::json,
                'total', (SELECT count(*) FROM detections d
                          WHERE d.label = $1 OR (d.name = $1 AND d.label_kind IS NULL)),
                'faces', COALESCE((SELECT json_agg(f.face ORDER BY f.time DESC) FROM (
                    SELECT \(FaceSQL.faceJSON()) AS face, d.time FROM detections d
                    WHERE d.label = $1 OR (d.name = $1 AND d.label_kind IS NULL)
                    ORDER BY d.time DESC LIMIT $2::int OFFSET $3::int) f), '[]'::json))
            """, [name, String(limit), String(offset), photos])
    }

    /// Whether anything in the database names `name` (a label, a model name or a named cluster).
    public func knows(person name: String) async throws -> Bool {
        try await client.withConnection { connection in
            try connection.execute(
                """
                SELECT EXISTS (SELECT 1 FROM detections WHERE label = $1)
                    OR EXISTS (SELECT 1 FROM detections WHERE name = $1)
                    OR EXISTS (SELECT 1 FROM face_clusters WHERE name = $1)
                """, [name]
            ).scalar(String.self) == "t"
        }
    }

    static func jsonText(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
    }
}
