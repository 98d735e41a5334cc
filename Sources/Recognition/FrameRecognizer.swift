import Workers
public import ZMFaceCore

/// Ingestion's recogniser: the faces of an ingested frame (the whole frame, or ZoneMinder's alarm
/// region) with the same pipeline, gates and classifier as `detect_faces`, on the shared pool, below
/// zerorpc calls in priority. A full queue makes ingestion wait and retry (counted), never drop the
/// frame.
public struct FrameRecognizer: FrameRecognizing {
    let pool: RecognitionPool
    let recognizer: FaceRecognizer
    /// The running model (its version is recorded with every result); nil without a classifier.
    let classifier: ReloadableClassifier?
    /// Which faces get a crop (`faces.keep`; `none` without `faces.cropsPath`).
    let crops: FaceCropKeep

    public init(
        pool: RecognitionPool, settings: RecognitionSettings, classifier: ReloadableClassifier?,
        crops: FaceCropKeep = .none
    ) {
        self.pool = pool
        self.recognizer = FaceRecognizer(settings: settings, identifier: classifier)
        self.classifier = classifier
        self.crops = crops
    }

    public func recognize(_ image: RGBImage, in region: FaceBox?, priority: IngestPriority) async throws
        -> [FaceResult]
    {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
        while true {
            do {
                return try await recognizeOnce(image, in: region, priority: priority == .live ? .live : .backfill)
            } catch PoolError.overloaded {
                Telemetry.ingestWaitedForPool()
                try await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    public func modelVersion() async -> String {
        classifier?.modelVersion ?? "none"
    }

    /// Waits for a worker as long as it takes, with no deadline timer (ingestion never sheds: a
    /// full queue makes it wait, and its cursor simply does not move). The faces `crops` keeps get
    /// their crop (`FaceResult.cropJPEG`), cut on the worker's thread while the frame is there.
    private func recognizeOnce(_ image: RGBImage, in region: FaceBox?, priority: JobPriority) async throws
        -> [FaceResult]
    {
        let (recognizer, crops) = (recognizer, crops)
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
