public import Foundation
public import ZMFaceCore

/// Who is waiting for a frame: live events go before backfill (and zerorpc calls before both).
public enum IngestPriority: Sendable {
    case live, backfill
}

/// Recognises the faces in one decoded frame. The executable wires the worker pool in here.
public protocol FrameRecognizing: Sendable {
    /// The faces in `region` of the frame (the whole frame when nil), boxes in frame pixels.
    func recognize(_ image: RGBImage, in region: FaceBox?, priority: IngestPriority) async throws -> [FaceResult]
    /// The classifier's version, recorded with every result.
    func modelVersion() async -> String
}

/// Where results go. The executable wires PostgreSQL (and the PUB socket after each commit) in
/// here; `commit` returns only once the results and the cursor are durable, retrying while the
/// store is down, so ingestion pauses instead of skipping.
public protocol IngestResultSink: Sendable {
    /// The committed live cursor, nil before the first commit.
    func lowWatermark() async throws -> Int64?
    /// Records the first cursor (startAt "now") before anything is committed, so a restart keeps it.
    func initializeLowWatermark(_ watermark: Int64) async throws
    /// Events at or above `from` that already have results.
    func handledEvents(from: Int64) async throws -> Set<Int64>
    /// Ends claims an earlier run of this instance left (a crash), so its events come back at once.
    func releaseEarlierClaims() async throws
    /// Now, by the clock that stamps commits (a backfill's start is compared with them).
    func databaseNow() async throws -> Date
    /// Claims the event for this instance for one lease (several instances share the events).
    func claim(_ eventID: Int64, for purpose: ClaimPurpose) async throws -> EventClaim
    /// Gives up this instance's claim on an event it could not finish (best effort: otherwise the
    /// lease runs out).
    func releaseClaim(_ eventID: Int64) async
    /// Extends this instance's lease on an event it works on; false once it was taken over.
    func renewClaim(_ eventID: Int64) async throws -> Bool
    /// How often `renewClaim` must run while an event is worked on (a third of the lease).
    var renewInterval: Duration { get }
    /// Commits the results and ends this instance's claim; throws `EventClaimLost`, writing
    /// nothing, when another instance took the event over meanwhile.
    func commit(_ results: EventResults) async throws
}

/// The ZoneMinder database as ingestion reads it (`ZoneMinderCatalog`, libmariadb on its own
/// thread). Throws `MariaDBError.unavailable` while the database cannot be reached: ingestion then
/// pauses and retries, skipping nothing.
public protocol EventCatalog: Sendable {
    /// Events with `Id >= from`, in Id order, open ones included.
    func events(from: Int64, limit: Int) async throws -> [ZoneMinderEvent]
    /// Closed events that started in `since..<until`, in Id order.
    func closedEvents(since: Date, until: Date, monitor: Int?) async throws -> [ZoneMinderEvent]
    /// Nil once the event's row is deleted.
    func event(id: Int64) async throws -> ZoneMinderEvent?
    func frames(ofEvent id: Int64) async throws -> [ZoneMinderFrame]
    func newestEventID() async throws -> Int64?
}

/// An event's folder as ingestion reads it (`EventFrameReader`: capture JPEGs, else the video).
public protocol EventFrameSource: Sendable {
    /// The wanted frames decoded one at a time, each with its image or why it could not be read,
    /// delivered as they are ready (in any order). The source takes a slot of `window` before each
    /// frame, so at most its size are alive at once; the stream fails with `EventFolderMissing`
    /// when the event's folder is gone.
    func frames(of event: ZoneMinderEvent, wanted: [Int], rows: [ZoneMinderFrame], window: FrameWindow)
        -> AsyncThrowingStream<DecodedFrame, any Error>
    /// Newest modification time in the folder (nil when it is gone).
    func lastChange(ofDirectory directory: String) -> Date?
    /// The highest N of its `NNNNN-capture.jpg` files (0 when there are none).
    func captureCount(inDirectory directory: String) -> Int
}
