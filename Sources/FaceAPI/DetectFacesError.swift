/// A `detect_faces` call that cannot be answered. `pythonName` is the exception name the original
/// server raised in the same situation (KeyError for a missing field, …), sent as the zerorpc ERR name.
public struct DetectFacesError: Error, Equatable, CustomStringConvertible {
    public let pythonName: String
    public let message: String

    public init(_ pythonName: String, _ message: String) {
        self.pythonName = pythonName
        self.message = message
    }

    public var description: String { "\(pythonName): \(message)" }
}
