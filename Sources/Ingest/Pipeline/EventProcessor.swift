import Foundation
import Logging
import ZMFaceCore

/// One event from its ZoneMinder rows to the results to commit: choose its frames, read them once,
/// have them recognised a few at a time, group its unknown faces, and say how it ended (processed,
/// deleted under us, or unreadable). Commits nothing: the caller does, with the cursor.
struct EventProcessor: Sendable {
    let catalog: any EventCatalog
    let frames: any EventFrameSource
    let recognizer: any FrameRecognizing
    let settings: IngestSettings
    let logger: Logger
    let retrying: OutageRetry

    /// `abandoned`: the event was left open by a crashed capture daemon and is read as it lies.
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
        let rows = try await retrying("reading Frames") { try await catalog.frames(ofEvent: event.id) }
        var (wanted, capped) = settings.selection.selection(frameCount: event.frameCount, rows: rows)
        if abandoned {
            // A crash loses zmc's queued Frames rows and leaves Events.Frames behind the JPEGs on
            // disk: choose among every frame that was written instead.
            var policy = settings.selection
            policy.candidates = .all
            let written = max(event.frameCount, frames.captureCount(inDirectory: event.directory))
            (wanted, capped) = policy.selection(frameCount: written, rows: rows)
        }
        if capped { ResourceLimit.framesPerEvent.recordBreach() }
        var results: [FrameResult]
        let window = FrameWindow(size: settings.frameWindow)
        do {
            let alarmBoxes = Dictionary(
                rows.compactMap { row in row.alarmBox.map { (row.frameID, $0) } },
                uniquingKeysWith: { first, _ in first })
            results = try await recognize(
                frames.frames(of: event, wanted: wanted, rows: rows, window: window), window: window,
                alarmBoxes: alarmBoxes,
                analysedSize: event.width > 0 && event.height > 0 ? (event.width, event.height) : nil,
                priority: priority)
        } catch let missing as EventFolderMissing {
            logger.warning(
                "event folder is gone; skipping the event",
                metadata: ["event": "\(event.id)", "folder": "\(missing.directory)"])
            return outcome(.deleted(reason: missing.description))
        }
        // Deleted between discovery and now: its results would point at nothing.
        guard try await retrying("re-reading the event", { try await catalog.event(id: event.id) }) != nil else {
            logger.warning("event deleted while it was processed; skipping it", metadata: ["event": "\(event.id)"])
            return outcome(.deleted(reason: "event row deleted during processing"))
        }
        UnknownFaceClustering.assign(&results)
        let failed = results.filter { $0.error != nil }
        for frame in failed {
            logger.warning(
                "frame unreadable",
                metadata: ["event": "\(event.id)", "frame": "\(frame.frameID)", "error": "\(frame.error!)"])
        }
        let result: EventResults
        if !results.isEmpty && failed.count == results.count {
            result = outcome(.skipped(reason: "no frame could be read: \(failed[0].error!)"), results)
        } else {
            result = outcome(.processed, results)
        }
        Telemetry.framesIngested(read: results.count - failed.count, unreadable: failed.count)
        logger.info(
            "event processed",
            metadata: [
                "event": "\(event.id)", "monitor": "\(event.monitorID)", "outcome": "\(result.outcome.name)",
                "frames": "\(results.count)", "faces": "\(result.faceCount)",
                "names": "\(Set(results.flatMap { $0.faces.compactMap(\.name) }).sorted())",
                "seconds": "\((ContinuousClock.now - started).seconds)",
            ])
        return result
    }

    /// Recognises the frames as the source decodes them, `settings.concurrency` at a time so the
    /// pool stays busy without one event flooding its queue; each frame's window slot is given back
    /// once it is recognised, so the decoder stays at most a few frames ahead. Results in frame order.
    private func recognize(
        _ decoded: AsyncThrowingStream<DecodedFrame, any Error>, window: FrameWindow, alarmBoxes: [Int: FaceBox],
        analysedSize: (width: Int, height: Int)?, priority: IngestPriority
    ) async throws -> [FrameResult] {
        let (recognizer, regions) = (recognizer, settings.region)
        let boxSpace = analysedSize
        return try await withThrowingTaskGroup(of: FrameResult.self) { group in
            var results: [FrameResult] = []
            var running = 0
            for try await frame in decoded {
                if running == settings.concurrency, let result = try await group.next() {
                    results.append(result)
                    running -= 1
                }
                group.addTask {
                    defer { window.release() }
                    switch frame.image {
                    case .failure(let error):
                        return FrameResult(
                            frameID: frame.frameID, time: frame.time, score: frame.score, faces: [],
                            error: error.message)
                    case .success(let image):
                        let region = regions.region(
                            for: alarmBoxes[frame.frameID], width: image.width, height: image.height,
                            boxSpace: boxSpace)
                        Telemetry.frameScanned(region: region != nil)
                        let faces = try await recognizer.recognize(image, in: region, priority: priority)
                        return FrameResult(frameID: frame.frameID, time: frame.time, score: frame.score, faces: faces)
                    }
                }
                running += 1
            }
            while let result = try await group.next() { results.append(result) }
            return results.sorted { $0.frameID < $1.frameID }
        }
    }
}
