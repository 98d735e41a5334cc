public import Workers
public import ZMFaceCore

/// Recognises the faces of an ingested frame (the whole frame, or ZoneMinder's alarm region) with
/// the same pipeline, gates and classifier as `detect_faces`, on the shared pool.
public struct FrameRecognizer: Sendable {
    public let pool: RecognitionPool
    public let recognizer: FaceRecognizer

    public init(pool: RecognitionPool, recognizer: FaceRecognizer) {
        self.pool = pool
        self.recognizer = recognizer
    }

    /// Waits for a worker as long as it takes, with no deadline timer (ingestion never sheds: a
    /// full queue makes it wait, and its cursor simply does not move).
    public func recognize(_ image: RGBImage, in region: FaceBox? = nil, priority: JobPriority) async throws
        -> [FaceResult]
    {
        let recognizer = recognizer
        let report = try await pool.run(waitingAtMost: nil, priority: priority) { models in
            try recognizer.recognize(image, in: region, models: models)
        }
        return report.faces.enumerated().map { index, face in
            FaceResult(index: index, face)
        }
    }
}

extension FaceResult {
    /// The stored form of one face of a frame.
    public init(index: Int, _ face: FaceReport) {
        let identity = face.identification
        self.init(
            index: index, box: face.box, confidence: face.confidence, focus: face.focus, encoding: face.encoding,
            name: face.name, probability: identity?.probability, distance: identity?.distance,
            margin: identity?.margin, status: face.status)
    }
}
