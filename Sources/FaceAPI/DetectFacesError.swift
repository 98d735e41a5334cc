/// A `detect_faces` call that cannot be answered, sent as a zerorpc ERR named after the exception
/// the original server raised in the same situation.
public struct DetectFacesError: Error, Equatable, CustomStringConvertible {
    /// The zerorpc error names a caller can receive.
    public enum Kind: String, Sendable {
        /// A value of the wrong type (the request is not a list, a label not an object, …).
        case typeError = "TypeError"
        /// A required field (`image`, `labels`, `name`) is missing.
        case keyError = "KeyError"
        /// A value outside its limits (too many labels).
        case valueError = "ValueError"
        /// No worker became free within `zerorpc.queueWaitSeconds`.
        case overloaded = "Overloaded"
        /// dlib or the classifier failed on an image.
        case runtimeError = "RuntimeError"
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The exception name sent as the zerorpc ERR name.
    public var pythonName: String { kind.rawValue }

    public var description: String { "\(pythonName): \(message)" }
}
