import Foundation
import Logging
import Synchronization
import Testing
import ZMFaceCore

@testable import Ingest

/// The ingestion loop and the per-event processing against fakes of the four seams (catalog,
/// event folders, recogniser, sink), so ordering, the cursor, backfill and deleted or abandoned
/// events are checked without databases; Tests/ingest does the same end to end on real services.
@Suite("EventIngestor with fakes")
struct EventIngestorTests {
    /// ZoneMinder's Events and Frames tables, held in memory.
    final class FakeCatalog: EventCatalog {
        struct State {
            var events: [ZoneMinderEvent] = []
            /// Rows that vanish as soon as their frames have been read (a user deleted the event).
            var deleteAfterReading: Set<Int64> = []
            var read: Set<Int64> = []
            /// The next `events(from:)` calls fail as if MariaDB were down.
            var outages = 0
        }
        let state: Mutex<State>

        init(_ events: [ZoneMinderEvent]) { state = Mutex(State(events: events)) }

        func events(from: Int64, limit: Int) async throws -> [ZoneMinderEvent] {
            try state.withLock { state in
                if state.outages > 0 {
                    state.outages -= 1
                    throw MariaDBError.unavailable("connection refused")
                }
                return Array(state.events.filter { $0.id >= from }.sorted { $0.id < $1.id }.prefix(limit))
            }
        }

        func closedEvents(since: Date, until: Date, monitor: Int?) async throws -> [ZoneMinderEvent] {
            state.withLock { state in
                state.events.filter { $0.isClosed && $0.start >= since && $0.start < until }.sorted { $0.id < $1.id }
            }
        }

        func event(id: Int64) async throws -> ZoneMinderEvent? {
            state.withLock { state in
                if state.deleteAfterReading.contains(id) && state.read.contains(id) { return nil }
                return state.events.first { $0.id == id }
            }
        }

        func frames(ofEvent id: Int64) async throws -> [ZoneMinderFrame] {
            state.withLock { _ = $0.read.insert(id) }
            return []
        }

        func newestEventID() async throws -> Int64? { state.withLock { $0.events.map(\.id).max() } }
    }

    /// Event folders: every frame is a 2x2 picture unless listed as broken; folders can be missing.
    struct FakeFrames: EventFrameSource {
        var missingFolders: Set<String> = []
        var brokenFrames: Set<Int> = []
        var lastChange: Date? = Date(timeIntervalSinceNow: -3600)
        var capturesOnDisk = 0

        func frames(of event: ZoneMinderEvent, wanted: [Int], rows: [ZoneMinderFrame], window: FrameWindow)
            -> AsyncThrowingStream<DecodedFrame, any Error>
        {
            AsyncThrowingStream { continuation in
                guard !missingFolders.contains(event.directory) else {
                    continuation.finish(throwing: EventFolderMissing(directory: event.directory))
                    return
                }
                for id in wanted {
                    continuation.yield(
                        DecodedFrame(
                            frameID: id, time: event.start.addingTimeInterval(Double(id) / 10), score: 0,
                            image: brokenFrames.contains(id)
                                ? .failure(FrameReadError(message: "frame \(id): corrupt JPEG"))
                                : .success(RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 12))!)))
                }
                continuation.finish()
            }
        }

        func lastChange(ofDirectory directory: String) -> Date? {
            missingFolders.contains(directory) ? nil : lastChange
        }

        func captureCount(inDirectory directory: String) -> Int { capturesOnDisk }
    }

    /// Names every frame's one face "obama" and records who asked, at which priority.
    final class FakeRecognizer: FrameRecognizing {
        let calls = Mutex<[IngestPriority]>([])
        /// How long each frame takes (a long event for the claim tests).
        let delay: Duration

        init(delay: Duration = .zero) {
            self.delay = delay
        }

        func recognize(_ image: RGBImage, in region: FaceBox?, priority: IngestPriority) async throws -> [FaceResult] {
            calls.withLock { $0.append(priority) }
            if delay > .zero { try await Task.sleep(for: delay) }
            return [
                FaceResult(
                    index: 0, box: FaceBox(top: 0, right: 2, bottom: 2, left: 0), confidence: 1, focus: 300,
                    encoding: nil, name: "obama", probability: 0.97, distance: 0.3, margin: 0.9, status: .recognized)
            ]
        }

        func modelVersion() async -> String { "svm-test" }
    }

    /// The result store: commits in order, the cursor as the last live commit left it. `others`
    /// are events another instance holds: busy until it commits them (`otherCommits`), after
    /// `otherHoldsFor` claims; `takenOver` events lose their claim before this instance commits.
    final class FakeSink: IngestResultSink {
        struct State {
            var commits: [EventResults] = []
            var cursor: Int64?
            var others: [Int64: Int] = [:]
            var otherCommitted: Set<Int64> = []
            var takenOver: Set<Int64> = []
            var claims: [Int64] = []
            var released: [Int64] = []
            var lostWhileWorking: Set<Int64> = []
            var renewals = 0
        }
        let state: Mutex<State>

        init(cursor: Int64? = nil, committed: [EventResults] = []) {
            state = Mutex(State(commits: committed, cursor: cursor))
        }

        var commits: [EventResults] { state.withLock { $0.commits } }

        func lowWatermark() async throws -> Int64? { state.withLock { $0.cursor } }
        func initializeLowWatermark(_ watermark: Int64) async throws { state.withLock { $0.cursor = watermark } }
        func handledEvents(from: Int64) async throws -> Set<Int64> {
            state.withLock { Set($0.commits.map(\.event.id).filter { $0 >= from }) }
        }
        func claim(_ eventID: Int64, for purpose: ClaimPurpose) async throws -> EventClaim {
            state.withLock { state in
                state.claims.append(eventID)
                if let remaining = state.others[eventID] {
                    if remaining > 0 {
                        state.others[eventID] = remaining - 1
                        return .busy
                    }
                    state.others[eventID] = nil
                    state.otherCommitted.insert(eventID)
                }
                if state.otherCommitted.contains(eventID) { return .handled }
                return purpose == .live && state.commits.contains { $0.event.id == eventID } ? .handled : .claimed
            }
        }
        /// Events another instance takes over while this one works on them: the renewal says so
        /// once, and the other instance then commits them.
        func renewClaim(_ eventID: Int64) async throws -> Bool {
            state.withLock { state in
                state.renewals += 1
                guard state.lostWhileWorking.remove(eventID) != nil else { return true }
                state.others[eventID] = 0
                return false
            }
        }
        func releaseEarlierClaims() async throws {}
        func releaseClaim(_ eventID: Int64) async { state.withLock { $0.released.append(eventID) } }
        func databaseNow() async throws -> Date { Date() }
        var renewInterval: Duration { .milliseconds(5) }
        func commit(_ results: EventResults) async throws {
            try state.withLock { state in
                if state.takenOver.remove(results.event.id) != nil {
                    state.others[results.event.id] = 1
                    throw EventClaimLost(eventID: results.event.id, owner: "other")
                }
                state.commits.append(results)
                if let watermark = results.lowWatermark { state.cursor = watermark }
            }
        }
    }

    static let settings = IngestSettings(
        pollSeconds: 0.01, settleSeconds: 2, abandonSeconds: 60,
        selection: FrameSelectionPolicy(candidates: .all, maxPerEvent: 0))

    func ingestor(
        _ catalog: FakeCatalog, frames: FakeFrames = FakeFrames(), recognizer: FakeRecognizer = FakeRecognizer(),
        sink: FakeSink, settings: IngestSettings = Self.settings
    ) -> EventIngestor {
        EventIngestor(
            catalog: catalog, frames: frames, recognizer: recognizer, sink: sink, settings: settings,
            logger: Logger(label: "test"))
    }

    @Test("Finished events are committed in id order; an open event holds the cursor but not the events after it")
    func orderAndCursor() async throws {
        let catalog = FakeCatalog([
            makeEvent(id: 1, frames: 3), makeEvent(id: 2, closedSecondsAgo: nil, frames: 3),
            makeEvent(id: 3, frames: 2),
        ])
        let sink = FakeSink()
        let handled = try await ingestor(catalog, sink: sink).run(once: true)
        #expect(handled == 2)
        #expect(sink.commits.map(\.event.id) == [1, 3], "the open event 2 waits")
        #expect(sink.commits.map(\.lowWatermark) == [2, 2], "the cursor stops at the first event not handled")
        #expect(sink.commits.map { $0.frames.map(\.frameID) } == [[1, 2, 3], [1, 2]])
        #expect(sink.commits.allSatisfy { $0.outcome == .processed && $0.modelVersion == "svm-test" })
    }

    @Test("An event another instance holds is skipped, and the cursor passes it only once that instance committed it")
    func sharedWithAnotherInstance() async throws {
        let catalog = FakeCatalog((1...4).map { makeEvent(id: $0, frames: 1) })
        let sink = FakeSink()
        sink.state.withLock { $0.others = [2: 3] }
        _ = try await ingestor(catalog, sink: sink).run(once: true)
        #expect(sink.commits.map(\.event.id) == [1, 3, 4], "2 is the other instance's")
        #expect(sink.commits.map(\.lowWatermark) == [2, 2, 2], "the cursor waits at 2 while it is busy")
        #expect(sink.state.withLock { $0.claims.filter { $0 == 2 }.count } == 4, "asked again at each poll")
    }

    @Test("Results whose claim was taken over are dropped, and the event is asked for again, not counted as handled")
    func claimTakenOver() async throws {
        let catalog = FakeCatalog((1...3).map { makeEvent(id: $0, frames: 1) })
        let sink = FakeSink()
        sink.state.withLock { $0.takenOver = [2] }
        let handled = try await ingestor(catalog, sink: sink).run(once: true)
        #expect(handled == 2)
        #expect(sink.commits.map(\.event.id) == [1, 3])
        #expect(sink.state.withLock { $0.otherCommitted } == [2], "the new holder's commit is what ends it")
    }

    @Test(
        "An event still in work after maxClaimSeconds is no longer renewed (a stuck process must not hold it forever); finishing still commits it"
    )
    func renewalIsBounded() async throws {
        let catalog = FakeCatalog([makeEvent(id: 1, frames: 1)])
        let sink = FakeSink()
        var settings = Self.settings
        settings.maxClaimSeconds = 0.05
        // One frame that takes 1 s: about 200 renewals at 5 ms without the bound, about 10 with it.
        let recognizer = FakeRecognizer(delay: .seconds(1))
        #expect(
            try await ingestor(catalog, recognizer: recognizer, sink: sink, settings: settings).run(once: true) == 1)
        let renewals = sink.state.withLock { $0.renewals }
        // Not a lower bound: on a loaded machine the first 5 ms sleep may outlast 0.05 s (renewal
        // itself is proven by the taken-over test below).
        #expect(renewals <= 40, "renewed only during the first 0.05 s (got \(renewals))")
        #expect(sink.commits.map(\.event.id) == [1], "nobody took it over, so the slow event is still committed")
    }

    @Test("A claim found taken over while the event is worked on stops the work; nothing is committed for it")
    func takenOverWhileWorking() async throws {
        let catalog = FakeCatalog((1...3).map { makeEvent(id: $0, frames: 4) })
        let sink = FakeSink()
        sink.state.withLock { $0.lostWhileWorking = [2] }
        let recognizer = FakeRecognizer(delay: .milliseconds(30))
        let handled = try await ingestor(catalog, recognizer: recognizer, sink: sink).run(once: true)
        #expect(handled == 2)
        #expect(sink.commits.map(\.event.id) == [1, 3])
        #expect(sink.state.withLock { $0.otherCommitted } == [2])
        #expect(sink.state.withLock { $0.released }.isEmpty, "a claim taken over is not ours to release")
    }

    @Test("A restart continues from the stored cursor and never repeats a committed event")
    func restart() async throws {
        let catalog = FakeCatalog((1...5).map { makeEvent(id: $0, frames: 1) })
        let earlier = FakeSink(cursor: 2)
        try await earlier.commit(
            EventResults(
                event: makeEvent(id: 3).info, outcome: .processed, frames: [], modelVersion: "svm-test",
                lowWatermark: 2))
        _ = try await ingestor(catalog, sink: earlier).run(once: true)
        #expect(earlier.commits.map(\.event.id) == [3, 2, 4, 5], "1 is below the cursor, 3 was committed before")
        #expect(earlier.commits.last?.lowWatermark == 6)
    }

    @Test("Backfill re-processes closed events in range at backfill priority and never moves the cursor")
    func backfill() async throws {
        let catalog = FakeCatalog([
            makeEvent(id: 1, frames: 2), makeEvent(id: 2, closedSecondsAgo: nil, frames: 2),
            makeEvent(id: 3, frames: 1),
        ])
        let sink = FakeSink(cursor: 9)
        let recognizer = FakeRecognizer()
        let count = try await ingestor(catalog, recognizer: recognizer, sink: sink).backfill(
            since: .distantPast, until: .distantFuture, monitor: nil)
        #expect(count == 2)
        #expect(sink.commits.map(\.event.id) == [1, 3])
        #expect(sink.commits.allSatisfy { $0.lowWatermark == nil })
        #expect(try await sink.lowWatermark() == 9)
        #expect(recognizer.calls.withLock { $0 } == [.backfill, .backfill, .backfill])
    }

    @Test("A vanished folder and a row deleted during recognition are recorded as deleted, and nothing is held up")
    func deletedEvents() async throws {
        let catalog = FakeCatalog([
            makeEvent(id: 1, frames: 2), makeEvent(id: 2, frames: 2), makeEvent(id: 3, frames: 1),
        ])
        catalog.state.withLock { $0.deleteAfterReading = [2] }
        let sink = FakeSink()
        var frames = FakeFrames()
        frames.missingFolders = [makeEvent(id: 1).directory]
        _ = try await ingestor(catalog, frames: frames, sink: sink).run(once: true)
        #expect(sink.commits.map(\.event.id) == [1, 2, 3])
        #expect(sink.commits[0].outcome == .deleted(reason: "event folder \(makeEvent(id: 1).directory) is missing"))
        #expect(sink.commits[1].outcome == .deleted(reason: "event row deleted during processing"))
        #expect(sink.commits[1].frames.isEmpty, "a deleted event stores no frame results")
        #expect(sink.commits[2].outcome == .processed)
        #expect(sink.commits.last?.lowWatermark == 4)
    }

    @Test("An event left open by a crashed zmc is handled once its folder is quiet, from every JPEG written")
    func abandoned() async throws {
        let catalog = FakeCatalog([
            makeEvent(id: 1, closedSecondsAgo: nil, newer: true, frames: 5), makeEvent(id: 2, frames: 1),
        ])
        var frames = FakeFrames()
        frames.capturesOnDisk = 12
        let sink = FakeSink()
        _ = try await ingestor(catalog, frames: frames, sink: sink).run(once: true)
        #expect(sink.commits.map(\.event.id) == [1, 2])
        #expect(sink.commits[0].frames.map(\.frameID) == Array(1...12), "Events.Frames (5) lags the files (12)")

        let recent = FakeCatalog([makeEvent(id: 1, closedSecondsAgo: nil, newer: true, frames: 5)])
        frames.lastChange = Date()
        let waiting = FakeSink()
        _ = try await ingestor(recent, frames: frames, sink: waiting).run(once: true)
        #expect(waiting.commits.isEmpty, "a folder still changing is not abandoned yet")
    }

    @Test("An unreadable frame keeps its error; an event with no readable frame is skipped, not dropped")
    func unreadableFrames() async throws {
        let catalog = FakeCatalog([makeEvent(id: 1, frames: 3), makeEvent(id: 2, frames: 1)])
        var frames = FakeFrames()
        frames.brokenFrames = [1]
        let sink = FakeSink()
        _ = try await ingestor(catalog, frames: frames, sink: sink).run(once: true)
        let first = try #require(sink.commits.first)
        #expect(first.outcome == .processed)
        #expect(first.frames.map(\.error) == ["frame 1: corrupt JPEG", nil, nil])
        #expect(first.frames[0].faces.isEmpty && first.frames[1].faces.map(\.name) == ["obama"])
        #expect(sink.commits[1].outcome == .skipped(reason: "no frame could be read: frame 1: corrupt JPEG"))
    }

    @Test("A ZoneMinder database outage pauses ingestion and loses nothing")
    func outage() async throws {
        let catalog = FakeCatalog([makeEvent(id: 1, frames: 1), makeEvent(id: 2, frames: 1)])
        catalog.state.withLock { $0.outages = 2 }
        let sink = FakeSink()
        _ = try await ingestor(catalog, sink: sink).run(once: true)
        #expect(sink.commits.map(\.event.id) == [1, 2])
        #expect(catalog.state.withLock { $0.outages } == 0, "both failed polls were retried")
    }

    @Test("A closed event still settling (zmc may flush Frames rows) is not read yet")
    func settling() async throws {
        let catalog = FakeCatalog([makeEvent(id: 1, closedSecondsAgo: 0.5, frames: 2)])
        let sink = FakeSink()
        let ingestor = ingestor(catalog, sink: sink)
        let run = Task { try await ingestor.run() }
        try await Task.sleep(for: .milliseconds(300))
        #expect(sink.commits.isEmpty)
        catalog.state.withLock { $0.events[0].secondsSinceEnd = 2.5 }
        while sink.commits.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        ingestor.requestStop()
        _ = try await run.value
        #expect(sink.commits.map(\.event.id) == [1])
    }

    @Test("startAt now records the first cursor past the newest event and leaves older events alone")
    func startAtNow() async throws {
        let catalog = FakeCatalog([makeEvent(id: 1), makeEvent(id: 2)])
        var settings = Self.settings
        settings.startAt = .now
        let sink = FakeSink()
        _ = try await ingestor(catalog, sink: sink, settings: settings).run(once: true)
        #expect(sink.commits.isEmpty)
        #expect(try await sink.lowWatermark() == 3)
    }
}
