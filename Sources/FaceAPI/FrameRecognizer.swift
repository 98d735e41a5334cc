import Foundation
import Workers
import ZMFaceCore

/// Recognises every face in a whole frame (ingested ZoneMinder frames have no person boxes) with
/// the same gates and classifier as `detect_faces`, on the shared pool.
public struct FrameRecognizer: Sendable {
    public let pool: RecognitionPool
    public let settings: RecognitionSettings
    public let identifier: (any FaceIdentifier)?

    public init(pool: RecognitionPool, settings: RecognitionSettings, identifier: (any FaceIdentifier)?) {
        self.pool = pool
        self.settings = settings
        self.identifier = identifier
    }

    /// Waits for a worker as long as it takes, with no deadline timer (ingestion never sheds: a
    /// full queue makes it wait, and its cursor simply does not move).
    public func recognize(_ image: RGBImage, priority: JobPriority) async throws -> [FaceResult] {
        let (settings, identifier) = (settings, identifier)
        let report = try await pool.run(waitingAtMost: nil, priority: priority) { models in
            try PersonAnalysis.analyze(
                image, region: FaceBox(top: 0, right: image.width, bottom: image.height, left: 0), models: models,
                settings: settings, identifier: identifier)
        }
        return report.faces.enumerated().map { index, face in
            let identity = face.identification
            return FaceResult(
                index: index, box: face.box, confidence: face.confidence, focus: face.focus, encoding: face.encoding,
                name: face.status == .recognized ? identity?.name : nil, probability: identity?.probability,
                distance: identity?.distance, margin: identity?.margin, status: face.status.rawValue)
        }
    }
}
