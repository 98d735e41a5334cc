public import Foundation

/// A ZoneMinder event as the ingest side saw it: what the sink stores beside each result.
public struct EventInfo: Sendable, Equatable {
    public var id: Int64
    public var monitorID: Int
    public var monitorName: String
    public var cause: String
    public var start: Date
    /// Nil while the event is open (and for events abandoned by a crashed capture daemon).
    public var end: Date?
    /// `Events.Frames`: the true frame count (the `Frames` table may hold fewer rows).
    public var frameCount: Int

    public init(
        id: Int64, monitorID: Int, monitorName: String, cause: String, start: Date, end: Date?, frameCount: Int
    ) {
        self.id = id
        self.monitorID = monitorID
        self.monitorName = monitorName
        self.cause = cause
        self.start = start
        self.end = end
        self.frameCount = frameCount
    }
}

/// One face found in a frame, with the gates it passed and what the classifier said.
public struct FaceResult: Sendable, Equatable {
    /// Position of this face among the frame's faces (0-based): the third part of the row key.
    public var index: Int
    public var box: FaceBox
    public var confidence: Double
    /// Variance of the Laplacian; nil when the face was too small to measure.
    public var focus: Double?
    /// Nil when a gate stopped the face before encoding.
    public var encoding: FaceEncoding?
    /// Nil for an unknown face.
    public var name: String?
    public var probability: Double?
    public var distance: Double?
    public var margin: Double?
    /// `recognized`, `unknown`, `too_small` or `blurry`.
    public var status: FaceStatus
    /// Events group unknown faces by likeness: `unknown-1`, `unknown-2`, … (set by the ingest side).
    public var cluster: String?
    /// The face's crop as JPEG, cut by the recogniser when `faces.keep` keeps this face; written
    /// to a file before the commit and then dropped.
    public var cropJPEG: Data?
    /// The crop could not be cut (counted when the event's crops are written).
    public var cropFailed = false
    /// The crop file's path relative to `faces.cropsPath` (`detections.crop`), once written.
    public var crop: String?

    public init(
        index: Int, box: FaceBox, confidence: Double, focus: Double?, encoding: FaceEncoding?, name: String?,
        probability: Double?, distance: Double?, margin: Double?, status: FaceStatus, cluster: String? = nil
    ) {
        self.index = index
        self.box = box
        self.confidence = confidence
        self.focus = focus
        self.encoding = encoding
        self.name = name
        self.probability = probability
        self.distance = distance
        self.margin = margin
        self.status = status
        self.cluster = cluster
    }

    /// Who this face is for summaries and topics: the name, else the unknown cluster, else `unknown`.
    public var person: String { name ?? cluster ?? "unknown" }
}

/// Everything recognised in one frame of an event, or why the frame could not be read.
public struct FrameResult: Sendable, Equatable {
    public var frameID: Int
    public var time: Date
    /// ZoneMinder's alarm score for the frame (0 when it has no `Frames` row).
    public var score: Int
    public var faces: [FaceResult]
    /// Set when the frame could not be decoded (missing file, corrupt JPEG, broken video).
    public var error: String?

    public init(frameID: Int, time: Date, score: Int, faces: [FaceResult], error: String? = nil) {
        self.frameID = frameID
        self.time = time
        self.score = score
        self.faces = faces
        self.error = error
    }
}

/// How an event ended up, recorded with its results so a restart never handles it again.
public enum EventOutcome: Sendable, Equatable {
    /// Frames were selected, decoded and recognised (some may carry an error).
    case processed
    /// The event vanished (rows or folder deleted) before it could be read.
    case deleted(reason: String)
    /// Nothing could be read from it (e.g. a crash left only a broken video).
    case skipped(reason: String)

    public var name: String {
        switch self {
        case .processed: "processed"
        case .deleted: "deleted"
        case .skipped: "skipped"
        }
    }

    public var reason: String? {
        switch self {
        case .processed: nil
        case .deleted(let reason), .skipped(let reason): reason
        }
    }
}

/// One event's results, committed in one transaction together with the ingest cursor.
public struct EventResults: Sendable {
    public var event: EventInfo
    public var outcome: EventOutcome
    public private(set) var frames: [FrameResult]
    /// Who the event showed, one row per person (the decision included), made once from `frames`
    /// for both the store and the PUB message.
    public let summaries: [EventSummary]
    /// Which classifier produced the names (its sha256, or `none`).
    public var modelVersion: String
    /// The new low watermark of the live cursor, or nil for a backfill (which never moves it).
    public var lowWatermark: Int64?

    public init(
        event: EventInfo, outcome: EventOutcome, frames: [FrameResult], modelVersion: String, lowWatermark: Int64?
    ) {
        self.event = event
        self.outcome = outcome
        self.frames = frames
        self.summaries = EventSummary.summarize(frames)
        self.modelVersion = modelVersion
        self.lowWatermark = lowWatermark
    }

    public var faceCount: Int { frames.reduce(0) { $0 + $1.faces.count } }

    /// Lets `body` set each face's crop fields (`cropJPEG`, `crop`); nothing the summaries were made
    /// from may change, so only those are taken back.
    public mutating func updateCrops(_ body: (_ frameID: Int, inout FaceResult) -> Void) {
        frames = frames.map { frame in
            var frame = frame
            for index in frame.faces.indices {
                var face = frame.faces[index]
                body(frame.frameID, &face)
                frame.faces[index].cropJPEG = face.cropJPEG
                frame.faces[index].cropFailed = face.cropFailed
                frame.faces[index].crop = face.crop
            }
            return frame
        }
    }
}
