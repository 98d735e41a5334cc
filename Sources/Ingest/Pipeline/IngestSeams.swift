import ZMFaceCore

/// Who is waiting for a frame: live events go before backfill (and zerorpc calls before both).
public enum IngestPriority: Sendable {
    case live, backfill
}

/// Recognises the faces in one decoded frame. The executable wires the worker pool in here.
public protocol FrameRecognizing: Sendable {
    func recognize(_ image: RGBImage, priority: IngestPriority) async throws -> [FaceResult]
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
    func commit(_ results: EventResults) async throws
}
