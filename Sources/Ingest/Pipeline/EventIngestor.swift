public import Foundation
public import Logging
import Synchronization
public import ZMFaceCore

/// Consumes ZoneMinder events: polls `Events` from a durable low watermark, reads each finished
/// event's chosen frames once, has them recognised, and commits the results together with the new
/// watermark. A crash at any point repeats at most the uncommitted event, whose rows are replaced,
/// so every frame's results exist exactly once.
public final class EventIngestor: Sendable {
    /// The cursor's name in the result store (one per ZoneMinder source).
    public static let liveSource = "zoneminder"

    /// The live cursor's key for a monitor list: `zoneminder` for all monitors, else
    /// `zoneminder:1,3`, so instances that split the monitors keep a cursor each.
    public static func cursorKey(monitors: [Int]?) -> String {
        guard let monitors, !monitors.isEmpty else { return liveSource }
        return liveSource + ":" + Set(monitors).sorted().map(String.init).joined(separator: ",")
    }

    /// Events read per poll; the rest wait for the next.
    static let pollBatch = 500

    private let catalog: any EventCatalog
    private let frames: any EventFrameSource
    private let sink: any IngestResultSink
    private let settings: IngestSettings
    private let logger: Logger
    private let processor: EventProcessor
    private let retrying: OutageRetry
    /// Shared with the sink, whose commit retries must also give up on a shutdown.
    public let stop: StopSignal

    public init(
        catalog: any EventCatalog, frames: any EventFrameSource, recognizer: any FrameRecognizing,
        sink: any IngestResultSink, settings: IngestSettings, logger: Logger, stop: StopSignal = StopSignal()
    ) {
        self.stop = stop
        self.catalog = catalog
        self.frames = frames
        self.sink = sink
        self.settings = settings
        self.logger = logger
        retrying = OutageRetry(
            service: "ZoneMinder database", effect: "ingestion paused", logger: logger, stop: stop,
            isOutage: { ($0 as? MariaDBError)?.isUnavailable == true }, onFailure: Telemetry.zoneMinderDatabaseFailed)
        processor = EventProcessor(
            catalog: catalog, frames: frames, recognizer: recognizer, settings: settings, logger: logger,
            retrying: retrying)
    }

    /// Finish the event in hand, commit it, then return from `run`.
    public func requestStop() {
        stop.request()
    }

    private var stopping: Bool { stop.isRequested || Task.isCancelled }

    // MARK: - Live ingestion

    /// Runs until stopped. With `once`, returns as soon as no event is ready (open and settling
    /// events are left for the next run); returns the number of events handled.
    @discardableResult
    public func run(once: Bool = false) async throws -> Int {
        try await sink.releaseEarlierClaims()
        var watermark = try await startingWatermark()
        var handled = try await retrying("reading handled events") { [watermark] in
            try await self.sink.handledEvents(from: watermark)
        }
        logger.info("ingesting ZoneMinder events", metadata: ["from": "\(watermark)"])
        var count = 0
        while !stopping {
            let rows = try await retrying("polling Events") { [watermark] in
                try await self.catalog.events(from: watermark, limit: Self.pollBatch)
            }
            reportLag(rows, handled: handled)
            var progressed = false
            for event in rows where !handled.contains(event.id) {
                if stopping { break }
                let readiness = EventReadiness.of(
                    event, settings: settings, lastFileChange: frames.lastChange(ofDirectory: event.directory))
                guard readiness == .ready || readiness == .abandoned else { continue }
                switch try await sink.claim(event.id, for: .live) {
                case .claimed: break
                case .handled:
                    // Another instance committed it: the cursor may move past it.
                    handled.insert(event.id)
                    progressed = true
                    continue
                case .busy: continue  // another instance works on it; asked again at the next poll
                }
                if readiness == .abandoned {
                    logger.warning(
                        "event left open by a crashed capture daemon; handling it as finished",
                        metadata: ["event": "\(event.id)", "monitor": "\(event.monitorID)"])
                }
                do {
                    var results = try await processHoldingClaim(
                        event, priority: .live, abandoned: readiness == .abandoned)
                    handled.insert(event.id)
                    results.lowWatermark = Self.lowWatermark(rows: rows, handled: handled)
                    try await sink.commit(results)
                } catch let lost as EventClaimLost {
                    // Not handled here: the new holder commits it, or, should it die too, its lease
                    // runs out and the event is claimed again.
                    handled.remove(event.id)
                    Telemetry.eventClaimed(nil)
                    logger.warning("\(lost); its results here are dropped", metadata: ["event": "\(event.id)"])
                    continue
                }
                count += 1
                progressed = true
                // Poll again before the next event: an older event another instance held may be free
                // now (its lease ran out), and it goes first. Without this, a killed instance's event
                // waited until this instance had worked through the rest of the batch. It also keeps
                // each event's row fresh: judged from a row read minutes ago (a backlog), an event
                // ZoneMinder has closed meanwhile would look abandoned.
                break
            }
            let next = Self.lowWatermark(rows: rows, handled: handled) ?? watermark
            if next != watermark {
                watermark = next
                handled = handled.filter { $0 >= watermark }
            }
            if once {
                let waiting = rows.contains { !handled.contains($0.id) && $0.isClosed }
                if !progressed && !waiting { break }
                if !progressed { try await sleep(seconds: min(settings.pollSeconds, 0.5)) }
                continue
            }
            if !progressed { try await sleep(seconds: settings.pollSeconds) }
        }
        return count
    }

    /// The first id not handled among `rows`, else one past the last row (nil without rows).
    static func lowWatermark(rows: [ZoneMinderEvent], handled: Set<Int64>) -> Int64? {
        if let first = rows.first(where: { !handled.contains($0.id) }) { return first.id }
        return rows.last.map { $0.id + 1 }
    }

    private func startingWatermark() async throws -> Int64 {
        if let stored = try await retrying("reading the cursor", { try await self.sink.lowWatermark() }) {
            return stored
        }
        switch settings.startAt {
        case .beginning:
            return 0
        case .now:
            let newest = try await retrying("reading the newest event") { try await self.catalog.newestEventID() }
            let start = (newest ?? 0) + 1
            try await sink.initializeLowWatermark(start)
            logger.notice(
                "first start with startAt \"now\": existing events are left to `zmface backfill`",
                metadata: ["from": "\(start)"])
            return start
        }
    }

    // MARK: - Backfill

    /// Re-processes closed events that started in `since..<until`, replacing earlier results and
    /// never moving the live cursor. Returns the number of events handled.
    @discardableResult
    public func backfill(
        since: Date, until: Date, monitor: Int?,
        progress: @Sendable (Int, Int, ZoneMinderEvent) -> Void = { _, _, _ in }
    ) async throws -> Int {
        let events = try await retrying("listing events") {
            try await self.catalog.closedEvents(since: since, until: until, monitor: monitor)
        }
        // Shared like live events: an event another instance (or backfill) holds is asked for again
        // after the rest; one committed since this backfill began counts as done.
        let purpose = ClaimPurpose.backfill(startedAt: try await sink.databaseNow())
        var done = 0
        var pending = events
        while !pending.isEmpty && !stopping {
            var busy: [ZoneMinderEvent] = []
            for event in pending {
                if stopping { break }
                switch try await sink.claim(event.id, for: purpose) {
                case .busy:
                    busy.append(event)
                    continue
                case .handled: break
                case .claimed:
                    do {
                        let results = try await processHoldingClaim(event, priority: .backfill, abandoned: false)
                        try await sink.commit(results)
                    } catch let lost as EventClaimLost {
                        Telemetry.eventClaimed(nil)
                        logger.warning("\(lost); its results here are dropped", metadata: ["event": "\(event.id)"])
                        busy.append(event)
                        continue
                    }
                }
                done += 1
                progress(done, events.count, event)
            }
            pending = busy
            if !pending.isEmpty { try await sleep(seconds: settings.pollSeconds) }
        }
        return done
    }

    // MARK: - Claims

    /// Processes a claimed event while renewing the claim's lease every third of it, so a long
    /// event is never taken over from a live instance; the renewal stops with the processing, or
    /// after `maxClaimSeconds` (a stuck process must not hold an event forever). When
    /// the renewal finds the event taken over, the processing is cancelled (`EventClaimLost`): its
    /// results could not be committed. When the processing fails, the claim is released at once, so
    /// another instance need not wait out the lease.
    private func processHoldingClaim(_ event: ZoneMinderEvent, priority: IngestPriority, abandoned: Bool)
        async throws -> EventResults
    {
        let (sink, processor, logger) = (sink, processor, logger)
        let renewUntil = ContinuousClock.now.advanced(by: .milliseconds(Int(settings.maxClaimSeconds * 1000)))
        let maxClaimSeconds = Int(settings.maxClaimSeconds)
        do {
            return try await withThrowingTaskGroup(of: EventResults?.self) { group in
                group.addTask {
                    while ContinuousClock.now < renewUntil {
                        try await Task.sleep(for: sink.renewInterval)
                        // A failed renewal (PostgreSQL briefly down) is tried again next time round.
                        if let held = try? await sink.renewClaim(event.id), !held {
                            throw EventClaimLost(eventID: event.id, owner: nil)
                        }
                    }
                    logger.warning(
                        "event still in work after maxClaimSeconds: its claim is no longer renewed, so another instance may take it over",
                        metadata: ["event": "\(event.id)", "maxClaimSeconds": "\(maxClaimSeconds)"])
                    return nil
                }
                group.addTask { try await processor.process(event, priority: priority, abandoned: abandoned) }
                while let next = try await group.next() {
                    if let results = next {
                        group.cancelAll()
                        return results
                    }
                }
                preconditionFailure("the processing task always returns results or throws")
            }
        } catch let error where !(error is EventClaimLost) {
            await sink.releaseClaim(event.id)
            throw error
        }
    }

    // MARK: - Helpers

    private func sleep(seconds: Double) async throws {
        guard !stopping else { return }
        _ = try await stop.sleep(for: .milliseconds(Int(seconds * 1000)))
    }

    private func reportLag(_ rows: [ZoneMinderEvent], handled: Set<Int64>) {
        let waiting = rows.filter { $0.isClosed && !handled.contains($0.id) }
        let lag = waiting.compactMap(\.secondsSinceEnd).max() ?? 0
        Telemetry.ingestBacklog(lagSeconds: lag, pendingEvents: waiting.count, newestEvent: rows.last?.id)
        if lag > 60 {
            logger.notice(
                "ingestion is behind", metadata: ["lagSeconds": "\(Int(lag))", "pendingEvents": "\(waiting.count)"])
        }
    }
}
