/// zmface's PostgreSQL schema, as an ordered list of migrations. Each runs once, in its own
/// transaction, recorded in `schema_migrations`; an advisory lock keeps two starting servers from
/// applying the same one twice. Append new versions; never edit an applied one.
enum SchemaMigrations {
    static let all: [(version: Int, name: String, sql: String)] = [
        (1, "results and ingest state", version1),
        (2, "event decision per person", version2),
        (3, "event claims shared by instances", version3),
        (4, "face crops, clusters of unknown faces and the user's labels", version4),
    ]

    static var latest: Int { all.last!.version }

    /// One row per ZoneMinder event handled, live or by backfill. Its presence is the marker that
    /// makes a restart skip the event; `runs` counts re-processing.
    private static let version1 = """
        CREATE TABLE events (
            event_id        bigint PRIMARY KEY,
            monitor_id      integer NOT NULL,
            monitor_name    text NOT NULL,
            cause           text NOT NULL,
            start_time      timestamptz NOT NULL,
            end_time        timestamptz,
            frame_count     integer NOT NULL,
            outcome         text NOT NULL CHECK (outcome IN ('processed', 'deleted', 'skipped')),
            reason          text,
            frames_selected integer NOT NULL,
            faces           integer NOT NULL,
            model_version   text NOT NULL,
            processed_at    timestamptz NOT NULL DEFAULT now(),
            runs            integer NOT NULL DEFAULT 1
        );
        CREATE INDEX events_monitor_start ON events (monitor_id, start_time);

        -- One row per selected frame: the per-(event, frame) marker, also for frames without faces.
        CREATE TABLE frames (
            event_id   bigint NOT NULL REFERENCES events ON DELETE CASCADE,
            frame_id   integer NOT NULL,
            time       timestamptz NOT NULL,
            score      integer NOT NULL,
            faces      integer NOT NULL,
            error      text,
            PRIMARY KEY (event_id, frame_id)
        );

        CREATE TABLE detections (
            event_id      bigint NOT NULL,
            frame_id      integer NOT NULL,
            face_index    integer NOT NULL,
            monitor_id    integer NOT NULL,
            time          timestamptz NOT NULL,
            box_top       integer NOT NULL,
            box_right     integer NOT NULL,
            box_bottom    integer NOT NULL,
            box_left      integer NOT NULL,
            person_box    integer[],
            confidence    double precision NOT NULL,
            focus         double precision,
            encoding      real[],
            name          text,
            person        text NOT NULL,
            probability   double precision,
            distance      double precision,
            margin        double precision,
            status        text NOT NULL,
            model_version text NOT NULL,
            PRIMARY KEY (event_id, frame_id, face_index),
            FOREIGN KEY (event_id, frame_id) REFERENCES frames ON DELETE CASCADE
        );
        CREATE INDEX detections_name_time ON detections (name, time);
        CREATE INDEX detections_monitor_time ON detections (monitor_id, time);

        -- Per event and person (a name, or an unknown cluster such as unknown-1).
        CREATE TABLE event_summaries (
            event_id         bigint NOT NULL REFERENCES events ON DELETE CASCADE,
            person           text NOT NULL,
            name             text,
            monitor_id       integer NOT NULL,
            first_seen       timestamptz NOT NULL,
            last_seen        timestamptz NOT NULL,
            frames_seen      integer NOT NULL,
            best_frame       integer NOT NULL,
            best_box         integer[] NOT NULL,
            max_probability  double precision,
            mean_probability double precision,
            PRIMARY KEY (event_id, person)
        );

        -- The live cursor: every event id below low_watermark is handled.
        CREATE TABLE ingest_cursor (
            source        text PRIMARY KEY,
            low_watermark bigint NOT NULL,
            updated_at    timestamptz NOT NULL DEFAULT now()
        );
        """

    /// The event's decision for each named person (EventDecision): seen in the event as a whole,
    /// and how sure; null for unknown clusters and for events stored before this version.
    private static let version2 = """
        ALTER TABLE event_summaries ADD COLUMN seen boolean, ADD COLUMN seen_confidence double precision,
            ADD COLUMN agreeing_frames integer, ADD COLUMN contradicting_frames integer;
        """

    /// Several instances on one database: who holds which event until when (`EventClaim`), and
    /// which instance committed each event's results.
    private static let version3 = """
        CREATE TABLE event_claims (
            event_id     bigint PRIMARY KEY,
            owner        text NOT NULL,
            lease_until  timestamptz NOT NULL,
            claimed_at   timestamptz NOT NULL DEFAULT now(),
            committed_at timestamptz
        );
        ALTER TABLE events ADD COLUMN instance text;
        """

    /// The labelling loop: each detection's crop file, its cluster of unknown faces across events
    /// and what the user said it is. A label is the user's word and outranks the model's `name`:
    /// `person` names the face `label`, `stranger` says it is nobody the model should know (the
    /// training's stranger class). A re-run of the event carries clusters and labels over to the
    /// new rows of the same face (same frame and box). `clustered` marks faces the clustering pass
    /// has looked at, so it only ever reads new ones.
    private static let version4 = """
        CREATE TABLE face_clusters (
            cluster_id  bigserial PRIMARY KEY,
            state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'named', 'ignored')),
            name        text,
            centroid    real[] NOT NULL,
            faces       integer NOT NULL DEFAULT 0,
            first_seen  timestamptz,
            last_seen   timestamptz,
            created_at  timestamptz NOT NULL DEFAULT now(),
            updated_at  timestamptz NOT NULL DEFAULT now(),
            CHECK ((state = 'named') = (name IS NOT NULL))
        );
        CREATE INDEX face_clusters_state_last_seen ON face_clusters (state, last_seen DESC);
        ALTER TABLE detections
            ADD COLUMN crop        text,
            ADD COLUMN cluster_id  bigint REFERENCES face_clusters ON DELETE SET NULL,
            ADD COLUMN clustered   boolean NOT NULL DEFAULT false,
            ADD COLUMN label       text,
            ADD COLUMN label_kind  text CHECK (label_kind IN ('person', 'stranger')),
            ADD COLUMN labelled_at timestamptz,
            ADD CHECK ((label_kind = 'person') = (label IS NOT NULL));
        CREATE INDEX detections_cluster ON detections (cluster_id) WHERE cluster_id IS NOT NULL;
        CREATE INDEX detections_unclustered ON detections (time) WHERE NOT clustered;
        CREATE INDEX detections_label ON detections (label) WHERE label IS NOT NULL;
        CREATE INDEX detections_time ON detections (time DESC);
        CREATE INDEX event_summaries_event ON event_summaries (event_id);
        """

    /// Applies every migration newer than the database's version; returns the versions applied.
    static func apply(on connection: PostgresConnection) throws -> [Int] {
        try connection.transaction { connection in
            // Held until COMMIT: a second server starting now waits here, then finds nothing to do.
            // Taken before the CREATE: `IF NOT EXISTS` is not safe against a concurrent CREATE (two
            // instances starting at once on an empty database got a duplicate-key error).
            try connection.execute("SELECT pg_advisory_xact_lock(7426110)")
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let current =
                try connection.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")
                .scalar(Int.self) ?? 0
            guard current <= latest else {
                throw PostgresError.rejected(
                    sqlState: "ZM001",
                    message: "the database has schema version \(current), newer than this zmface (\(latest))")
            }
            var applied: [Int] = []
            for migration in all where migration.version > current {
                try connection.execute(migration.sql)
                try connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [String(migration.version), migration.name])
                applied.append(migration.version)
            }
            return applied
        }
    }
}
