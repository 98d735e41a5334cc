public import Foundation
public import Logging
public import ZMFaceCore

/// Ingestion's result sink: commit to PostgreSQL (results + cursor in one transaction), then
/// tell the announcers (PUB socket, MQTT, ZoneMinder write-back) in turn. While PostgreSQL is
/// down, `commit` waits and retries, so the whole pipeline pauses through the bounded pool and
/// resumes with nothing lost.
public struct PostgresResultSink: IngestResultSink {
    let store: ResultStore
    let announcers: [any ResultAnnouncer]
    /// This instance's name (`events.instance`); claims are made as `owner`, `<instance>/<token>`
    /// with a token of this process, so two processes under one name never share a claim.
    let instance: String
    let owner: String
    let leaseSeconds: Double
    /// The cursor's key: one per set of monitors, so instances splitting the monitors never move
    /// each other's cursor past their unfinished events.
    let source: String
    /// Before schema version 3 every instance kept its cursor under one key (`zoneminder`): an
    /// instance with a monitor list starts from that key's cursor once. Nil when `source` is it.
    let legacySource: String?
    let logger: Logger
    /// The ingestor's: on a shutdown during an outage the event in hand is given up uncommitted
    /// (the cursor has not moved, so the next start handles it again).
    let stop: StopSignal
    /// `faces.cropsPath`: where the recogniser's face crops are written before each commit.
    let crops: FaceCropFiles?

    public init(
        store: ResultStore, announcers: [any ResultAnnouncer], instance: String, owner: String, leaseSeconds: Double,
        source: String, legacySource: String?, logger: Logger, stop: StopSignal, crops: FaceCropFiles? = nil
    ) {
        self.store = store
        self.announcers = announcers
        self.instance = instance
        self.owner = owner
        self.leaseSeconds = leaseSeconds
        self.source = source
        self.legacySource = legacySource
        self.logger = logger
        self.stop = stop
        self.crops = crops
    }

    public func lowWatermark() async throws -> Int64? {
        try await retrying("reading the cursor") { try await lowWatermarkOrLegacy() }
    }

    public func initializeLowWatermark(_ watermark: Int64) async throws {
        try await retrying("recording the first cursor") {
            try await store.initializeLowWatermark(source: source, to: watermark)
        }
    }

    public func handledEvents(from: Int64) async throws -> Set<Int64> {
        try await retrying("reading handled events") { try await store.handledEvents(from: from) }
    }

    private func lowWatermarkOrLegacy() async throws -> Int64? {
        if let own = try await store.lowWatermark(source: source) { return own }
        guard let legacySource else { return nil }
        return try await store.lowWatermark(source: legacySource)
    }

    public func releaseEarlierClaims() async throws {
        try await retrying("releasing this instance's earlier claims") {
            try await store.releaseClaims(ofInstance: instance, except: owner)
        }
    }

    public func databaseNow() async throws -> Date {
        try await retrying("reading the database clock") { try await store.databaseNow() }
    }

    public func claim(_ eventID: Int64, for purpose: ClaimPurpose) async throws -> EventClaim {
        let claim = try await retrying("claiming event \(eventID)") {
            try await store.claim(eventID, owner: owner, leaseSeconds: leaseSeconds, for: purpose)
        }
        Telemetry.eventClaimed(claim)
        return claim
    }

    /// One attempt: when PostgreSQL is down the lease simply runs out.
    public func releaseClaim(_ eventID: Int64) async {
        try? await store.releaseClaim(eventID, owner: owner)
    }

    /// One attempt: the ingestor renews again a third of a lease later, so an outage costs nothing.
    public func renewClaim(_ eventID: Int64) async throws -> Bool {
        try await store.renewClaim(eventID, owner: owner, leaseSeconds: leaseSeconds)
    }

    public var renewInterval: Duration { .milliseconds(Int(leaseSeconds * 1000 / 3)) }

    public func commit(_ results: EventResults) async throws {
        var results = results
        if let crops {
            let report = crops.write(&results)
            if let error = report.firstError {
                logger.error(
                    "face crops not written; the faces are stored without them",
                    metadata: ["event": "\(results.event.id)", "failed": "\(report.failed)", "error": "\(error)"])
            }
        }
        let started = ContinuousClock.now
        let committed = results
        let kept = try await retrying("committing event \(results.event.id)") {
            try await store.commit(committed, source: source, owner: owner, instance: instance)
        }
        // Only after our own commit: a lost claim's files are the other instance's too (same names).
        crops?.removeStale(eventID: results.event.id, kept: kept)
        Telemetry.Stage.commit.record(nanoseconds: (ContinuousClock.now - started).nanoseconds)
        Telemetry.detectionsCommitted(results.faceCount)
        for announcer in announcers { await announcer.announce(results) }
    }

    private var retrying: OutageRetry { Self.outageRetry(logger: logger, stop: stop) }

    /// Waits out PostgreSQL outages (commits, cursor reads, the start-up migration); the
    /// ingestor's stop ends the wait.
    public static func outageRetry(logger: Logger, stop: StopSignal) -> OutageRetry {
        OutageRetry(
            service: "PostgreSQL", effect: "pipeline paused", logger: logger, stop: stop,
            isOutage: { ($0 as? PostgresError)?.isUnavailable == true }, onFailure: Telemetry.postgresFailed)
    }
}
