public import Workers
public import ZMFaceCore

/// One face found in a region, with the gates it passed and what the classifier said.
public struct FaceReport: Sendable, Equatable {
    /// In full-image pixels (top, right, bottom, left).
    public var box: FaceBox
    /// The detector's score.
    public var confidence: Double
    /// Variance of the Laplacian; nil when a gate stopped the face before it was measured.
    public var focus: Double?
    /// How far the head is turned (`FaceLandmarks.yaw`); nil when the face was too small.
    public var yaw: Double?
    public var status: FaceStatus
    /// The classifier's answer, when a classifier ran (the face passed the gates).
    public var identification: Identification?
    /// Set when the face passed the gates and was encoded.
    public var encoding: FaceEncoding?

    /// The person this face was recognised as. Nil for every other status, including a face the
    /// trained stranger class ("Unknown") claimed: that one is `unknown` like any stranger, in every
    /// output (ingestion clusters it with the other unknown faces).
    public var name: String? { status == .recognized ? identification?.name : nil }
}

/// Everything found in one region (a `detect_faces` person box, or a whole frame).
public struct RegionReport: Sendable {
    public var status: FaceStatus
    /// Most confident first.
    public var faces: [FaceReport]
    /// The face that answers for the region: the most probable recognised face, else the first face
    /// that passed the gates.
    public var best: FaceReport?
    public var timings: StageTimings

    public static func failed(_ status: FaceStatus) -> RegionReport {
        RegionReport(status: status, faces: [], best: nil, timings: StageTimings())
    }
}

/// Wall time spent in each stage of one region's recognition, in seconds.
public struct StageTimings: Sendable, Equatable {
    public var detect: Double = 0
    public var focus: Double = 0
    public var encode: Double = 0
    public var classify: Double = 0

    public init() {}
}
