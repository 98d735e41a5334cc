public import Ingest
import Recognition
public import Workers
public import ZMFaceCore

/// Ingestion's recogniser: the shared worker pool, below zerorpc calls in priority. A full queue
/// makes ingestion wait and retry (counted), never drop the frame.
struct PoolFrameRecognizer: FrameRecognizing {
    let recognizer: FrameRecognizer
    let classifier: ReloadableClassifier?
    /// Which faces get a crop (`faces.keep`; `none` without `faces.cropsPath`).
    var crops = FaceCropKeep.none

    func recognize(_ image: RGBImage, in region: FaceBox?, priority: IngestPriority) async throws -> [FaceResult] {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
        while true {
            do {
                return try await recognizer.recognize(
                    image, in: region, priority: priority == .live ? .live : .backfill, crops: crops)
            } catch PoolError.overloaded {
                Telemetry.ingestWaitedForPool()
                try await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    func modelVersion() async -> String {
        classifier?.modelVersion ?? "none"
    }
}

extension ImageDecoder: StillImageDecoding {
    public func decodeImage(atPath path: String) throws -> RGBImage {
        try decode(fileAtPath: path)
    }
}
