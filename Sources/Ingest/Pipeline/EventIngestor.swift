import Foundation
import Logging
import Synchronization
import ZMFaceCore

/// Consumes ZoneMinder events: polls `Events` from a durable low watermark, reads each finished
/// event's chosen frames once, has them recognised, and commits the results together with the new
/// watermark. A crash at any point repeats at most the uncommitted event, whose rows are replaced,
/// so every frame's results exist exactly once.
public final class EventIngestor: Sendable {
    /// The cursor's name in the result store (one per ZoneMinder source).
    public static let liveSource = "zoneminder"

    private let catalog: ZoneMinderCatalog
    private let reader: EventFrameReader
    private let recognizer: any FrameRecognizing
    private let sink: any IngestResultSink
    private let settings: IngestSettings
    private let logger: Logger
    /// Shared with the sink, whose commit retries must also give up on a shutdown.
    public let stop: StopSignal

    public init(
        catalog: ZoneMinderCatalog, reader: EventFrameReader, recognizer: any FrameRecognizing,
        sink: any IngestResultSink, settings: IngestSettings, logger: Logger, stop: StopSignal = StopSignal()
    ) {
        self.stop = stop
        self.catalog = catalog
        self.reader = reader
        self.recognizer = recognizer
        self.sink = sink
        self.settings = settings
        self.logger = logger
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
        var watermark = try await startingWatermark()
        var handled = try await retrying("reading handled events") { [watermark] in
            try await self.sink.handledEvents(from: watermark)
        }
        logger.info("ingesting ZoneMinder events", metadata: ["from": "\(watermark)"])
        var count = 0
        while !stopping {
            let rows = try await retrying("polling Events") { [watermark] in
                try await self.catalog.events(from: watermark)
            }
            reportLag(rows, handled: handled)
            var progressed = false
            for event in rows where !handled.contains(event.id) {
                if stopping { break }
                let readiness = EventReadiness.of(
                    event, settings: settings, lastFileChange: EventFrameReader.lastChange(ofDirectory: event.directory)
                )
                guard readiness == .ready || readiness == .abandoned else { continue }
                if readiness == .abandoned {
                    logger.warning(
                        "event left open by a crashed capture daemon; handling it as finished",
                        metadata: ["event": "\(event.id)", "monitor": "\(event.monitorID)"])
                }
                var results = try await process(event, priority: .live, abandoned: readiness == .abandoned)
                handled.insert(event.id)
                results.lowWatermark = Self.lowWatermark(rows: rows, handled: handled)
                try await sink.commit(results)
                count += 1
                progressed = true
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
        var done = 0
        for event in events {
            if stopping { break }
            let results = try await process(event, priority: .backfill)
            try await sink.commit(results)
            done += 1
            progress(done, events.count, event)
        }
        return done
    }

    // MARK: - One event

    func process(_ event: ZoneMinderEvent, priority: IngestPriority, abandoned: Bool = false) async throws
        -> EventResults
    {
        let started = ContinuousClock.now
        let model = await recognizer.modelVersion()
        func outcome(_ outcome: EventOutcome, _ frames: [FrameResult] = []) -> EventResults {
            Telemetry.eventIngested(outcome: outcome.name)
            return EventResults(
                event: event.info, outcome: outcome, frames: frames, modelVersion: model, lowWatermark: nil)
        }
        let rows = try await retrying("reading Frames") { try await self.catalog.frames(ofEvent: event.id) }
        var (wanted, capped) = settings.selection.selection(frameCount: event.frameCount, rows: rows)
        if abandoned {
            // A crash loses zmc's queued Frames rows and leaves Events.Frames behind the JPEGs on
            // disk: choose among every frame that was written instead.
            var policy = settings.selection
            policy.candidates = .all
            let written = max(event.frameCount, EventFrameReader.captureCount(inDirectory: event.directory))
            (wanted, capped) = policy.selection(frameCount: written, rows: rows)
        }
        if capped { ResourceLimit.framesPerEvent.recordBreach() }
        guard let decoded = try await reader.read(event, frames: wanted, rows: rows) else {
            logger.warning(
                "event folder is gone; skipping the event",
                metadata: ["event": "\(event.id)", "folder": "\(event.directory)"])
            return outcome(.deleted(reason: "event folder \(event.directory) is missing"))
        }
        var frames = try await recognize(decoded, priority: priority)
        // Deleted between discovery and now: its results would point at nothing.
        guard try await retrying("re-reading the event", { try await self.catalog.event(id: event.id) }) != nil
        else {
            logger.warning("event deleted while it was processed; skipping it", metadata: ["event": "\(event.id)"])
            return outcome(.deleted(reason: "event row deleted during processing"))
        }
        UnknownFaceClustering.assign(&frames)
        let failed = frames.filter { $0.error != nil }
        for frame in failed {
            logger.warning(
                "frame unreadable",
                metadata: ["event": "\(event.id)", "frame": "\(frame.frameID)", "error": "\(frame.error!)"])
        }
        let result: EventResults
        if !frames.isEmpty && failed.count == frames.count {
            result = outcome(.skipped(reason: "no frame could be read: \(failed[0].error!)"), frames)
        } else {
            result = outcome(.processed, frames)
        }
        Telemetry.framesIngested(read: frames.count - failed.count, unreadable: failed.count)
        let elapsed = ContinuousClock.now - started
        logger.info(
            "event processed",
            metadata: [
                "event": "\(event.id)", "monitor": "\(event.monitorID)", "outcome": "\(result.outcome.name)",
                "frames": "\(frames.count)", "faces": "\(result.faceCount)",
                "names": "\(Set(frames.flatMap { $0.faces.compactMap(\.name) }).sorted())",
                "seconds": "\(elapsed.seconds)",
            ])
        return result
    }

    /// Recognises the decoded frames, a few at a time so the pool stays busy without one event
    /// flooding its queue.
    private func recognize(_ decoded: [DecodedFrame], priority: IngestPriority) async throws -> [FrameResult] {
        try await withThrowingTaskGroup(of: FrameResult.self) { group in
            var results: [FrameResult] = []
            var iterator = decoded.makeIterator()
            func addNext() -> Bool {
                guard let frame = iterator.next() else { return false }
                group.addTask {
                    switch frame.image {
                    case .failure(let error):
                        return FrameResult(
                            frameID: frame.frameID, time: frame.time, score: frame.score, faces: [],
                            error: error.message)
                    case .success(let image):
                        let faces = try await self.recognizer.recognize(image, priority: priority)
                        return FrameResult(frameID: frame.frameID, time: frame.time, score: frame.score, faces: faces)
                    }
                }
                return true
            }
            for _ in 0..<settings.concurrency where addNext() {}
            while let result = try await group.next() {
                results.append(result)
                _ = addNext()
            }
            return results.sorted { $0.frameID < $1.frameID }
        }
    }

    // MARK: - Helpers

    /// Retries `body` while the ZoneMinder database is unreachable: ingestion pauses, nothing is skipped.
    private func retrying<T: Sendable>(_ what: String, _ body: @Sendable () async throws -> T) async throws -> T {
        try await Backoff.retrying(
            isTransient: { ($0 as? MariaDBError)?.isUnavailable == true },
            onRetry: { error, delay in
                Telemetry.zoneMinderDatabaseFailed()
                logger.warning(
                    "ZoneMinder database unavailable; ingestion paused",
                    metadata: ["while": "\(what)", "error": "\(error)", "retryIn": "\(delay)"])
            },
            onRecovered: { _ in logger.info("ZoneMinder database reachable again", metadata: ["while": "\(what)"]) },
            stop: stop, body)
    }

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
