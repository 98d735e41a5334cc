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
    /// full queue makes it wait, and its cursor simply does not move). The faces `crops` keeps get
    /// their crop (`FaceResult.cropJPEG`), cut on the worker's thread while the frame is there.
    public func recognize(
        _ image: RGBImage, in region: FaceBox? = nil, priority: JobPriority, crops: FaceCropKeep = .none
    ) async throws -> [FaceResult] {
        let recognizer = recognizer
        return try await pool.run(waitingAtMost: nil, priority: priority) { models in
            let report = try recognizer.recognize(image, in: region, models: models)
            return report.faces.enumerated().map { index, face in
                var result = FaceResult(index: index, face)
                if crops.keeps(name: face.name) {
                    // A crop that cannot be made costs the face its picture, never its result.
                    result.cropJPEG = (try? FaceCrop.jpeg(of: face.box, in: image)) ?? nil
                    result.cropFailed = result.cropJPEG == nil
                }
                return result
            }
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
