public import Foundation
import ZMFaceCore

/// The dlib model files a worker loads, all from face_recognition_models 0.3.0 (public domain).
/// The 68-point landmark model is deliberately absent: its training data forbids commercial use and
/// the descriptor only needs 5 points.
public struct ModelFiles: Sendable, Equatable {
    public static let shapePredictorName = "shape_predictor_5_face_landmarks.dat"
    public static let resnetName = "dlib_face_recognition_resnet_model_v1.dat"
    public static let cnnDetectorName = "mmod_human_face_detector.dat"

    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public var shapePredictor: URL { directory.appendingPathComponent(Self.shapePredictorName) }
    public var resnet: URL { directory.appendingPathComponent(Self.resnetName) }
    public var cnnDetector: URL { directory.appendingPathComponent(Self.cnnDetectorName) }

    /// Where models are looked for when no directory is given: `$ZMFACE_MODELS`, `./models`, the
    /// checkout the running binary was built in (`.build/<triple>/<config>/zmface`), then the install
    /// locations (`<prefix>/bin/zmface` → `<prefix>/share/zmface/models`, and /usr/share).
    public static func locate(
        explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(RecognitionError) -> ModelFiles {
        let candidates = InstallLocations.candidates(
            explicit: explicit, environmentVariable: "ZMFACE_MODELS", currentDirectoryPath: "models",
            checkoutPath: "models", sharePath: "models", environment: environment)
        if let found = InstallLocations.first(of: candidates, containing: resnetName) {
            return ModelFiles(directory: URL(fileURLWithPath: found, isDirectory: true))
        }
        throw .modelsNotFound(searched: candidates)
    }
}
