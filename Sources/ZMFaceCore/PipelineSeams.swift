public import Foundation

// The seams between ingestion, recognition and the result store. They live here, below all three,
// so that each side implements them directly: Ingest drives them (and its tests fake them),
// Recognition's `FrameRecognizer` and Workers' `ImageDecoder` recognise and decode, Sink's
// `PostgresResultSink` stores; the executable only wires them together.

/// Decodes a still image file (the capture JPEGs). Workers' `ImageDecoder` (the project's strict
/// libjpeg/libpng decoder) implements it, so a truncated JPEG is an error and not a grey-padded picture.
public protocol StillImageDecoding: Sendable {
    func decodeImage(atPath path: String) throws -> RGBImage
}

/// Who is waiting for a frame: live events go before backfill (and zerorpc calls before both).
public enum IngestPriority: Sendable {
    case live, backfill
}

/// Recognises the faces in one decoded frame. Recognition's `FrameRecognizer` runs it on
/// the shared worker pool.
public protocol FrameRecognizing: Sendable {
    /// The faces in `region` of the frame (the whole frame when nil), boxes in frame pixels.
    func recognize(_ image: RGBImage, in region: FaceBox?, priority: IngestPriority) async throws -> [FaceResult]
    /// The classifier's version, recorded with every result.
    func modelVersion() async -> String
}

/// Where results go. Sink's `PostgresResultSink` commits to PostgreSQL (and tells the announcers after
/// each commit); `commit` returns only once the results and the cursor are durable, retrying while the
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
