public import Foundation
public import ZMFaceCore

/// zmface's results in PostgreSQL: migrations, the one-transaction commit of an event's results
/// with the ingest cursor, and the reads ingestion needs to resume.
public final class ResultStore: Sendable {
    private let client: PostgresClient
    private let rowsPerStatement: Int
    /// For tests that open more stores on the same schema.
    let conninfoForTests: String

    /// `conninfo` is a libpq URL or key=value string (TLS and password as libpq users expect).
    /// `rowsPerStatement` sets the multi-row INSERT size (1 = row by row, for the benchmark).
    public init(conninfo: String, rowsPerStatement: Int = 400) {
        self.conninfoForTests = conninfo
        self.client = PostgresClient(conninfo: conninfo, name: "postgres-results")
        self.rowsPerStatement = max(1, min(rowsPerStatement, 2000))
    }

    public func close() {
        client.close()
    }

    /// Brings the schema up to date; returns the migration versions applied now.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await client.withConnection { try SchemaMigrations.apply(on: $0) }
    }

    public static var schemaVersion: Int { SchemaMigrations.latest }

    /// Replaces everything stored for the event with `results` and, for live ingestion, moves the
    /// cursor, all in one transaction: after a crash either all of it is there or none of it.
    /// With an `owner`, the transaction first ends that owner's claim on the event (see `claim`);
    /// when another instance has taken the claim over, nothing is written and `EventClaimLost` is
    /// thrown. The claim row's lock orders two commits of one event: no duplicate rows, ever.
    /// Returns the crop paths the event's rows name now (the caller removes its other crop files).
    @discardableResult
    public func commit(_ results: EventResults, source: String, owner: String? = nil, instance: String? = nil)
        async throws -> Set<String>
    {
        let batch = rowsPerStatement
        let eventID = results.event.id
        let outcome: Result<Set<String>, EventClaimLost> = try await client.withConnection { connection in
            try connection.transaction { connection -> Result<Set<String>, EventClaimLost> in
                if let owner {
                    let ended = try connection.execute(
                        """
                        UPDATE event_claims SET committed_at = now(), lease_until = now()
                        WHERE event_id = $1 AND owner = $2 RETURNING 1
                        """, [String(eventID), owner])
                    guard !ended.rows.isEmpty else {
                        let holder = try connection.execute(
                            "SELECT owner FROM event_claims WHERE event_id = $1", [String(eventID)])
                        return .failure(EventClaimLost(eventID: eventID, owner: holder.rows.first?.first ?? nil))
                    }
                }
                return .success(
                    try Self.write(results, source: source, instance: instance, batch: batch, on: connection))
            }
        }
        return try outcome.get()
    }

    /// Claims the event for `owner` until `leaseSeconds` from now. Claimed when nobody holds it, its
    /// holder's lease ran out, or `owner` holds it already (a restarted instance under the same
    /// name takes its own events back at once). Live ingestion never claims an event with results;
    /// a backfill claims one whose results are older than the backfill. One statement: two instances
    /// claiming the same event at once are ordered by the row's lock, and one of them gets `busy`.
    public func claim(_ eventID: Int64, owner: String, leaseSeconds: Double, for purpose: ClaimPurpose)
        async throws -> EventClaim
    {
        let (backfill, since): (Bool, Double) =
            switch purpose {
            case .live: (false, 0)
            case .backfill(let startedAt): (true, startedAt.timeIntervalSince1970)
            }
        return try await client.withConnection { connection in
            let row = try connection.execute(
                """
                WITH attempt AS (
                    INSERT INTO event_claims AS c (event_id, owner, lease_until)
                    SELECT $1::bigint, $2::text, now() + $3::float8 * interval '1 second'
                    WHERE $4::boolean OR NOT EXISTS (SELECT 1 FROM events WHERE event_id = $1::bigint)
                    ON CONFLICT (event_id) DO UPDATE
                    SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until, claimed_at = now()
                    WHERE (c.lease_until < now() OR c.owner = EXCLUDED.owner)
                        AND (c.committed_at IS NULL OR ($4::boolean AND c.committed_at < to_timestamp($5::float8)))
                    RETURNING 1)
                SELECT EXISTS (SELECT 1 FROM attempt),
                    CASE WHEN $4::boolean
                        THEN EXISTS (SELECT 1 FROM event_claims WHERE event_id = $1
                                     AND committed_at >= to_timestamp($5::float8))
                        ELSE EXISTS (SELECT 1 FROM events WHERE event_id = $1) END
                """, [String(eventID), owner, sqlDouble(leaseSeconds), backfill ? "true" : "false", sqlDouble(since)]
            ).rows.first
            if row?[0] == "t" { return .claimed }
            return row?[1] == "t" ? .handled : .busy
        }
    }

    /// Ends the leases of claims an earlier process of `instance` left (owners are `<instance>/<token>`,
    /// one token per process): a restart after a crash takes its unfinished events back at once
    /// instead of waiting out their leases. A process of the same name still running keeps its
    /// claims by renewing them (its commit then fails only if another took the event meanwhile).
    /// Also forgets claims committed more than `keepCommittedDays` ago, so the table does not grow
    /// with every event ever handled: results live in `events`, and only a backfill compares commit
    /// times, with its own start (one running longer than that would redo such an event once).
    public func releaseClaims(ofInstance instance: String, except owner: String, keepCommittedDays: Double = 7)
        async throws
    {
        try await client.withConnection { connection -> Void in
            try connection.execute(
                """
                UPDATE event_claims SET lease_until = now()
                WHERE committed_at IS NULL AND lease_until > now() AND owner <> $2
                    AND regexp_replace(owner, '/[^/]*$', '') = $1
                """, [instance, owner])
            try connection.execute(
                "DELETE FROM event_claims WHERE committed_at < now() - $1::float8 * interval '1 day'",
                [sqlDouble(keepCommittedDays)])
        }
    }

    /// Ends `owner`'s lease on an event it gave up uncommitted.
    public func releaseClaim(_ eventID: Int64, owner: String) async throws {
        try await client.withConnection { connection -> Void in
            try connection.execute(
                "UPDATE event_claims SET lease_until = now() WHERE event_id = $1 AND owner = $2 AND committed_at IS NULL",
                [String(eventID), owner])
        }
    }

    /// The database's clock: a backfill's start is compared with commit times PostgreSQL wrote.
    public func databaseNow() async throws -> Date {
        try await client.withConnection { connection in
            Date(
                timeIntervalSince1970: try connection.execute("SELECT extract(epoch FROM clock_timestamp())::float8")
                    .scalar(Double.self) ?? Date().timeIntervalSince1970)
        }
    }

    /// Extends `owner`'s lease on the event; false once another instance has taken it over.
    public func renewClaim(_ eventID: Int64, owner: String, leaseSeconds: Double) async throws -> Bool {
        try await client.withConnection { connection in
            !(try connection.execute(
                """
                UPDATE event_claims SET lease_until = now() + $3::float8 * interval '1 second'
                WHERE event_id = $1 AND owner = $2 RETURNING 1
                """, [String(eventID), owner, sqlDouble(leaseSeconds)]
            ).rows.isEmpty)
        }
    }

    /// The live cursor of `source`, or nil before the first commit.
    public func lowWatermark(source: String) async throws -> Int64? {
        try await client.withConnection { connection in
            try connection.execute("SELECT low_watermark FROM ingest_cursor WHERE source = $1", [source])
                .scalar(Int64.self)
        }
    }

    /// Sets the cursor of a source that has none yet (a first start that skips existing events).
    public func initializeLowWatermark(source: String, to watermark: Int64) async throws {
        try await client.withConnection { connection -> Void in
            try connection.execute(
                "INSERT INTO ingest_cursor (source, low_watermark) VALUES ($1, $2) ON CONFLICT (source) DO NOTHING",
                [source, String(watermark)])
        }
    }

    /// Which of the events at or above `from` already have results (handled out of order above
    /// the watermark, or by a backfill).
    public func handledEvents(from: Int64) async throws -> Set<Int64> {
        try await client.withConnection { connection in
            Set(
                try connection.execute("SELECT event_id FROM events WHERE event_id >= $1", [String(from)])
                    .column(Int64.self))
        }
    }

    /// Newest event id with results (for the ingest-lag metric).
    public func newestHandledEvent() async throws -> Int64? {
        try await client.withConnection { connection in
            try connection.execute("SELECT max(event_id) FROM events").scalar(Int64.self)
        }
    }

    // MARK: - Writing

    private static let detectionColumns = [
        "event_id", "frame_id", "face_index", "monitor_id", "time", "box_top", "box_right", "box_bottom",
        "box_left", "person_box", "confidence", "focus", "encoding", "name", "person", "probability",
        "distance", "margin", "status", "model_version", "crop",
    ]

    /// What the user made of an event's faces, kept across a re-run: the clustering pass's work
    /// and the user's labels, per face (frame and box), for the transaction's length.
    private static let carriedFaces = """
        CREATE TEMP TABLE IF NOT EXISTS carried_faces (
            frame_id integer, box_top integer, box_right integer, box_bottom integer, box_left integer,
            crop text, cluster_id bigint, clustered boolean, label text, label_kind text, labelled_at timestamptz
        ) ON COMMIT DELETE ROWS
        """

    private static func write(
        _ results: EventResults, source: String, instance: String?, batch: Int, on connection: PostgresConnection
    ) throws -> Set<String> {
        let event = results.event
        let eventID = String(event.id)
        // A re-run keeps the user's work: clusters and labels of the old rows go to the new rows of
        // the same face (same frame, same box), stashed here before the cascade deletes them.
        try connection.execute(carriedFaces)
        let carried = try connection.execute(
            """
            INSERT INTO carried_faces
            SELECT frame_id, box_top, box_right, box_bottom, box_left, crop, cluster_id, clustered, label, label_kind,
                labelled_at
            FROM detections WHERE event_id = $1 AND (clustered OR cluster_id IS NOT NULL OR label_kind IS NOT NULL)
            RETURNING 1
            """, [eventID]
        ).rows.count
        // Replace, never duplicate: a re-run (restart after a crash mid-commit is impossible, but a
        // backfill is not) removes the previous run's rows first; frames/detections/summaries cascade.
        let previous = try connection.execute("DELETE FROM events WHERE event_id = $1 RETURNING runs", [eventID])
        let runs = (previous.scalar(Int.self) ?? 0) + 1
        try connection.execute(
            """
            INSERT INTO events (event_id, monitor_id, monitor_name, cause, start_time, end_time, frame_count,
                outcome, reason, frames_selected, faces, model_version, runs, instance)
            VALUES ($1, $2, $3, $4, to_timestamp($5::float8), to_timestamp($6::float8), $7, $8, $9, $10, $11, $12, $13,
                $14)
            """,
            [
                eventID, String(event.monitorID), event.monitorName, event.cause, sqlTime(event.start),
                event.end.map(sqlTime), String(event.frameCount), results.outcome.name, results.outcome.reason,
                String(results.frames.count), String(results.faceCount), results.modelVersion, String(runs), instance,
            ])
        try insertRows(
            into: "frames", columns: ["event_id", "frame_id", "time", "score", "faces", "error"],
            casts: ["", "", "to_timestamp(%::float8)", "", "", ""],
            batch: batch,
            rows: results.frames.map { frame in
                [
                    eventID, String(frame.frameID), sqlTime(frame.time), String(frame.score),
                    String(frame.faces.count), frame.error,
                ]
            }, on: connection)
        var detections: [[String?]] = []
        for frame in results.frames {
            for face in frame.faces {
                // The float32 values in their shortest round-trip form (about 10 characters, not
                // the 19 of the same value widened to a double); the column is real[].
                let encoding = face.encoding.map { "{" + $0.values.map(sqlFloat).joined(separator: ",") + "}" }
                detections.append([
                    eventID, String(frame.frameID), String(face.index), String(event.monitorID), sqlTime(frame.time),
                    String(face.box.top), String(face.box.right), String(face.box.bottom), String(face.box.left),
                    nil, sqlDouble(face.confidence), face.focus.map(sqlDouble),
                    encoding,
                    face.name, face.person, face.probability.map(sqlDouble), face.distance.map(sqlDouble),
                    face.margin.map(sqlDouble), face.status.rawValue, results.modelVersion, face.crop,
                ])
            }
        }
        var casts = Array(repeating: "", count: detectionColumns.count)
        casts[4] = "to_timestamp(%::float8)"
        try insertRows(
            into: "detections", columns: detectionColumns, casts: casts, batch: batch, rows: detections, on: connection)
        if carried > 0 {
            // A labelled face keeps its old crop when this run wrote none for it (`faces.keep`
            // changed, or the model names it now) and no face of this run took over that file name.
            try connection.execute(
                """
                UPDATE detections d
                SET cluster_id = c.cluster_id, clustered = c.clustered, label = c.label, label_kind = c.label_kind,
                    labelled_at = c.labelled_at,
                    crop = COALESCE(d.crop, CASE WHEN c.label_kind IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM detections x WHERE x.event_id = d.event_id AND x.crop = c.crop) THEN c.crop END)
                FROM carried_faces c
                WHERE d.event_id = $1 AND d.frame_id = c.frame_id AND d.box_top = c.box_top
                    AND d.box_right = c.box_right AND d.box_bottom = c.box_bottom AND d.box_left = c.box_left
                """, [eventID])
            try connection.execute("DELETE FROM carried_faces")
        }
        try insertRows(
            into: "event_summaries",
            columns: [
                "event_id", "person", "name", "monitor_id", "first_seen", "last_seen", "frames_seen", "best_frame",
                "best_box", "max_probability", "mean_probability", "seen", "seen_confidence", "agreeing_frames",
                "contradicting_frames",
            ],
            casts: [
                "", "", "", "", "to_timestamp(%::float8)", "to_timestamp(%::float8)", "", "", "", "", "", "", "", "",
                "",
            ],
            batch: batch,
            rows: results.summaries.map { summary in
                let decision = summary.decision
                return [
                    eventID, summary.person, summary.name, String(event.monitorID), sqlTime(summary.firstSeen),
                    sqlTime(summary.lastSeen), String(summary.framesSeen), String(summary.bestFrame),
                    "{\(summary.bestBox.top),\(summary.bestBox.right),\(summary.bestBox.bottom),\(summary.bestBox.left)}",
                    summary.maxProbability.map(sqlDouble), summary.meanProbability.map(sqlDouble),
                    decision.map { $0.seen ? "true" : "false" }, decision.map { sqlDouble($0.confidence) },
                    decision.map { String($0.agreeingFrames) }, decision.map { String($0.contradictingFrames) },
                ]
            }, on: connection)
        if let watermark = results.lowWatermark {
            // GREATEST: the cursor never moves back, whatever order commits arrive in.
            try connection.execute(
                """
                INSERT INTO ingest_cursor (source, low_watermark) VALUES ($1, $2)
                ON CONFLICT (source) DO UPDATE
                SET low_watermark = GREATEST(ingest_cursor.low_watermark, EXCLUDED.low_watermark), updated_at = now()
                """, [source, String(watermark)])
        }
        // Without carried faces the rows name exactly this run's crops: no need to ask.
        guard carried > 0 else {
            return Set(results.frames.lazy.flatMap(\.faces).compactMap(\.crop))
        }
        return Set(
            try connection.execute(
                "SELECT crop FROM detections WHERE event_id = $1 AND crop IS NOT NULL", [eventID]
            ).column(String.self))
    }

    /// Multi-row INSERTs of at most `batch` rows (20 columns × 400 rows stays far below libpq's
    /// 65535 parameters); `casts` wraps a column's placeholder (`%` stands for it), e.g. to turn
    /// epoch seconds into a timestamptz.
    static func insertRows(
        into table: String, columns: [String], casts: [String], batch: Int, rows: [[String?]],
        on connection: PostgresConnection
    ) throws {
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + batch, rows.count)]
            var placeholders: [String] = []
            var parameters: [String?] = []
            parameters.reserveCapacity(chunk.count * columns.count)
            for row in chunk {
                let tuple = row.indices.map { column in
                    let placeholder = "$\(parameters.count + column + 1)"
                    return casts[column].isEmpty
                        ? placeholder : casts[column].replacingOccurrences(of: "%", with: placeholder)
                }
                placeholders.append("(" + tuple.joined(separator: ",") + ")")
                parameters.append(contentsOf: row)
            }
            try connection.execute(
                "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES "
                    + placeholders.joined(separator: ","),
                parameters)
            start += chunk.count
        }
    }
}

/// PostgreSQL's spelling of special floats; everything else round-trips through Swift's shortest form.
func sqlDouble(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
    return "\(value)"
}

/// A finite float32 as its shortest text that reads back to the same float32.
func sqlFloat(_ value: Float) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
    return "\(value)"
}

func sqlTime(_ date: Date) -> String {
    sqlDouble(date.timeIntervalSince1970)
}
