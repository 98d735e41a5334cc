/// Failures of the recognition core. dlib's own exception text is kept in `reason`.
public enum RecognitionError: Error, Equatable, CustomStringConvertible {
    case modelsNotFound(searched: [String])
    case modelLoadFailed(path: String, reason: String)
    case cnnNotLoaded
    case invalidArgument(String)
    case dlibFailure(operation: String, reason: String)
    /// The classifier could not score an encoding (an XGBoost runtime error).
    case classifierFailed(reason: String)

    public var description: String {
        switch self {
        case .modelsNotFound(let searched):
            "dlib model files not found (looked in \(searched.joined(separator: ", "))); "
                + "run scripts/setup, which downloads them into models/, or pass --models DIR"
        case .modelLoadFailed(let path, let reason): "cannot load model \(path): \(reason)"
        case .cnnNotLoaded: "the CNN detector was not loaded with this model set"
        case .invalidArgument(let message): message
        case .dlibFailure(let operation, let reason): "dlib \(operation) failed: \(reason)"
        case .classifierFailed(let reason): "the classifier could not score a face: \(reason)"
        }
    }
}
