import Dispatch
import Metrics
import Synchronization

/// Every metric zmface records, defined once: the names, their label values (typed, never
/// strings built at a call site) and their kinds. Monotonic counts are counters named `_total`;
/// gauges are levels that go up and down.
public enum Telemetry {
    /// `zmface_stage_duration_seconds{stage}`: time spent in one stage of one image or event.
    public enum Stage: String, Sendable, CaseIterable {
        case decode, detect, focus, encode, classify
        /// Ingestion's PostgreSQL transaction for one event (results, summaries and cursor); the PUB
        /// send after it is not included.
        case commit

        /// Runs `body`, records its duration under this stage and returns its result together with
        /// the seconds it took (callers that report timings, like `zmface detect`, add them up).
        public func measure<Result>(_ body: () throws -> Result) rethrows -> (Result, seconds: Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try body()
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            record(nanoseconds: Int64(elapsed))
            return (result, Double(elapsed) / 1e9)
        }

        public func record(nanoseconds: Int64) {
            Metrics.Timer(label: "zmface_stage_duration_seconds", dimensions: [("stage", rawValue)])
                .recordNanoseconds(nanoseconds)
        }
    }

    /// `zmface_faces_total{status}`: every face the detector found, by the status it ended with.
    public static func faceFound(_ status: FaceStatus) {
        Counter(label: "zmface_faces_total", dimensions: [("status", status.rawValue)]).increment()
    }

    /// `zmface_person_labels_total{status}`: every person label a `detect_faces` call answered.
    public static func personLabelAnswered(_ status: FaceStatus) {
        Counter(label: "zmface_person_labels_total", dimensions: [("status", status.rawValue)]).increment()
    }

    /// `zmface_classifier_errors_total`: encodings the classifier could not score (the face is
    /// answered with an error, never silently as unknown).
    public static func classifierFailed() {
        Counter(label: "zmface_classifier_errors_total").increment()
    }

    /// `zmface_limit_breaches_total{limit}`.
    public static func limitBreached(_ limit: ResourceLimit) {
        Counter(label: "zmface_limit_breaches_total", dimensions: [("limit", limit.rawValue)]).increment()
    }

    /// The sockets that count CURVE handshakes.
    public enum CurveSocket: String, Sendable {
        case zerorpc, publish
    }

    /// `zmface_<socket>_curve_handshakes_total{result="allowed|denied"}`.
    public static func curveHandshake(_ socket: CurveSocket, allowed: Bool) {
        Counter(
            label: "zmface_\(socket.rawValue)_curve_handshakes_total",
            dimensions: [("result", allowed ? "allowed" : "denied")]
        ).increment()
    }

    // MARK: Sampled state

    /// The pool's levels and its running total of refused jobs, copied in before each scrape:
    /// `zmface_pool_workers`, `zmface_pool_busy_workers`, `zmface_pool_queue_depth` (gauges) and
    /// `zmface_pool_shed_total` (jobs refused as Overloaded).
    public static func poolSampled(workers: Int, busyWorkers: Int, queuedJobs: Int, shedTotal: Int) {
        Gauge(label: "zmface_pool_workers").record(workers)
        Gauge(label: "zmface_pool_busy_workers").record(busyWorkers)
        Gauge(label: "zmface_pool_queue_depth").record(queuedJobs)
        mirrorTotal("zmface_pool_shed_total", total: shedTotal)
    }

    /// The zerorpc server's running totals (kept on its I/O thread), copied in before each scrape.
    public struct ZeroRPCTotals: Sendable {
        public var requests, succeeded, failed, dropped, inFlight, heartbeatsSent, curveAllowed, curveDenied: Int

        public init(
            requests: Int, succeeded: Int, failed: Int, dropped: Int, inFlight: Int, heartbeatsSent: Int,
            curveAllowed: Int, curveDenied: Int
        ) {
            (self.requests, self.succeeded, self.failed, self.dropped) = (requests, succeeded, failed, dropped)
            (self.inFlight, self.heartbeatsSent) = (inFlight, heartbeatsSent)
            (self.curveAllowed, self.curveDenied) = (curveAllowed, curveDenied)
        }
    }

    /// `zmface_zerorpc_requests_total`, `zmface_zerorpc_replies_total{result="ok|err"}`,
    /// `zmface_zerorpc_dropped_total`, `zmface_zerorpc_heartbeats_sent_total`,
    /// `zmface_zerorpc_curve_handshakes_total{result}` and the `zmface_zerorpc_in_flight` gauge.
    public static func zerorpcSampled(_ totals: ZeroRPCTotals) {
        mirrorTotal("zmface_zerorpc_requests_total", total: totals.requests)
        mirrorTotal("zmface_zerorpc_replies_total", [("result", "ok")], total: totals.succeeded)
        mirrorTotal("zmface_zerorpc_replies_total", [("result", "err")], total: totals.failed)
        mirrorTotal("zmface_zerorpc_dropped_total", total: totals.dropped)
        mirrorTotal("zmface_zerorpc_heartbeats_sent_total", total: totals.heartbeatsSent)
        mirrorTotal("zmface_zerorpc_curve_handshakes_total", [("result", "allowed")], total: totals.curveAllowed)
        mirrorTotal("zmface_zerorpc_curve_handshakes_total", [("result", "denied")], total: totals.curveDenied)
        Gauge(label: "zmface_zerorpc_in_flight").record(totals.inFlight)
    }

    /// `zmface_classifier_info{kind,created,classes}` = 1 for the loaded model.
    public static func classifierLoaded(kind: String, created: String, classes: Int) {
        Gauge(
            label: "zmface_classifier_info",
            dimensions: [("kind", kind), ("created", created), ("classes", "\(classes)")]
        )
        .record(1)
    }

    /// What each mirrored counter has been given so far, by label and dimensions.
    private static let mirrored = Mutex<[String: Int]>([:])

    /// Exports a running total kept elsewhere as a counter: each call adds what it grew since the
    /// last call (a total that went down, after a restart of its owner, adds nothing).
    static func mirrorTotal(_ label: String, _ dimensions: [(String, String)] = [], total: Int) {
        let key = ([label] + dimensions.map { "\($0)=\($1)" }).joined(separator: ",")
        let growth = mirrored.withLock { seen -> Int in
            let before = seen[key] ?? 0
            seen[key] = max(before, total)
            return total - before
        }
        if growth > 0 { Counter(label: label, dimensions: dimensions).increment(by: growth) }
    }

    // MARK: Ingestion

    /// `zmface_ingest_events_total{outcome}`.
    public static func eventIngested(outcome: String) {
        Counter(label: "zmface_ingest_events_total", dimensions: [("outcome", outcome)]).increment()
    }

    /// `zmface_ingest_frames_total{result="read|unreadable"}`.
    public static func framesIngested(read: Int, unreadable: Int) {
        Counter(label: "zmface_ingest_frames_total", dimensions: [("result", "read")]).increment(by: read)
        Counter(label: "zmface_ingest_frames_total", dimensions: [("result", "unreadable")]).increment(by: unreadable)
    }

    /// `zmface_ingest_db_errors_total`: ZoneMinder database calls that failed and will be retried.
    public static func zoneMinderDatabaseFailed() {
        Counter(label: "zmface_ingest_db_errors_total").increment()
    }

    /// `zmface_ingest_claims_total{result="claimed|handled|busy|lost"}`: this instance's claims on
    /// events (several instances share one ZoneMinder); `lost`: taken over while it worked.
    public static func eventClaimed(_ claim: EventClaim?) {
        let result =
            switch claim {
            case .claimed: "claimed"
            case .handled: "handled"
            case .busy: "busy"
            case nil: "lost"
            }
        Counter(label: "zmface_ingest_claims_total", dimensions: [("result", result)]).increment()
    }

    /// `zmface_ingest_scans_total{region="alarm|full"}`: ingested frames scanned within
    /// ZoneMinder's alarm box, or whole.
    public static func frameScanned(region: Bool) {
        Counter(label: "zmface_ingest_scans_total", dimensions: [("region", region ? "alarm" : "full")]).increment()
    }

    /// `zmface_ingest_pool_waits_total`: frames that found the worker queue full and waited.
    public static func ingestWaitedForPool() {
        Counter(label: "zmface_ingest_pool_waits_total").increment()
    }

    /// `zmface_ingest_lag_seconds`, `zmface_ingest_pending_events`, `zmface_ingest_newest_event`.
    public static func ingestBacklog(lagSeconds: Double, pendingEvents: Int, newestEvent: Int64?) {
        Gauge(label: "zmface_ingest_lag_seconds").record(lagSeconds)
        Gauge(label: "zmface_ingest_pending_events").record(pendingEvents)
        if let newestEvent { Gauge(label: "zmface_ingest_newest_event").record(Double(newestEvent)) }
    }

    // MARK: Results

    /// `zmface_results_committed_total{kind="detections"}`.
    public static func detectionsCommitted(_ count: Int) {
        Counter(label: "zmface_results_committed_total", dimensions: [("kind", "detections")]).increment(by: count)
    }

    /// `zmface_postgres_errors_total`: PostgreSQL calls that failed and will be retried.
    public static func postgresFailed() {
        Counter(label: "zmface_postgres_errors_total").increment()
    }

    /// `zmface_zoneminder_notes_total{result="written|failed"}`: events whose decision was (or could
    /// not be) written into ZoneMinder's Notes.
    public static func zoneMinderNotesWritten(_ written: Bool) {
        Counter(label: "zmface_zoneminder_notes_total", dimensions: [("result", written ? "written" : "failed")])
            .increment()
    }

    /// `zmface_publish_failures_total`: messages that were numbered but not sent (the socket refused
    /// them, or its thread had stopped); subscribers see them as a sequence gap.
    public static func publishFailed(_ count: Int = 1) {
        Counter(label: "zmface_publish_failures_total").increment(by: count)
    }

    // MARK: MQTT

    /// `zmface_mqtt_published_total`: messages handed to the broker's connection.
    public static func mqttPublished() {
        Counter(label: "zmface_mqtt_published_total").increment()
    }

    /// `zmface_mqtt_dropped_total`: messages lost: the outbox was full while the broker was away
    /// (the oldest event message goes), libmosquitto refused one, or the server stopped first.
    public static func mqttDropped(_ count: Int = 1) {
        Counter(label: "zmface_mqtt_dropped_total").increment(by: count)
    }

    /// `zmface_mqtt_connection_failures_total`: connections that could not be made, were refused
    /// or were lost (each followed by a retry after a backoff).
    public static func mqttConnectionFailed() {
        Counter(label: "zmface_mqtt_connection_failures_total").increment()
    }

    /// `zmface_mqtt_outbox_messages` (messages waiting) and `zmface_mqtt_connected` (1 or 0).
    public static func mqttSampled(queued: Int, connected: Bool) {
        Gauge(label: "zmface_mqtt_outbox_messages").record(queued)
        Gauge(label: "zmface_mqtt_connected").record(connected ? 1 : 0)
    }

    // MARK: Faces (crops, clusters, retention)

    /// `zmface_face_crops_total{result="written|failed"}`: face crops written beside an event's
    /// results, or not (cut, encoded or written unsuccessfully: the face is stored without a crop).
    public static func faceCrops(written: Int, failed: Int) {
        Counter(label: "zmface_face_crops_total", dimensions: [("result", "written")]).increment(by: written)
        Counter(label: "zmface_face_crops_total", dimensions: [("result", "failed")]).increment(by: failed)
    }

    /// `zmface_face_clustering_passes_total{result="ok|failed"}` and, per pass, faces that joined a
    /// cluster or stopped waiting (`zmface_face_clustered_total{how="joined|formed|expired"}`) and clusters formed
    /// (`zmface_face_clusters_formed_total`); `zmface_face_clustering_waiting` is the level of
    /// faces still waiting for neighbours.
    public static func clusteringPass(
        ok: Bool, joined: Int = 0, formedFaces: Int = 0, formed: Int = 0, waiting: Int? = nil, expired: Int = 0
    ) {
        Counter(label: "zmface_face_clustering_passes_total", dimensions: [("result", ok ? "ok" : "failed")])
            .increment()
        Counter(label: "zmface_face_clustered_total", dimensions: [("how", "joined")]).increment(by: joined)
        Counter(label: "zmface_face_clustered_total", dimensions: [("how", "formed")]).increment(by: formedFaces)
        Counter(label: "zmface_face_clustered_total", dimensions: [("how", "expired")]).increment(by: expired)
        Counter(label: "zmface_face_clusters_formed_total").increment(by: formed)
        if let waiting { Gauge(label: "zmface_face_clustering_waiting").record(waiting) }
    }

    /// `zmface_face_crops_expired_total` (crops deleted by retention) and
    /// `zmface_face_retention_failures_total` (passes that failed and will be tried again).
    public static func cropsExpired(_ count: Int, failed: Bool = false) {
        Counter(label: "zmface_face_crops_expired_total").increment(by: count)
        if failed { Counter(label: "zmface_face_retention_failures_total").increment() }
    }
}
