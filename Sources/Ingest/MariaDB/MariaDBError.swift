/// A ZoneMinder database failure, split by what the caller can do about it.
public enum MariaDBError: Error, Equatable, CustomStringConvertible {
    /// The server cannot be reached or the connection broke: pause and retry, skip nothing.
    case unavailable(String)
    /// The server rejected a statement (errno and message).
    case rejected(code: UInt32, message: String)

    public var description: String {
        switch self {
        case .unavailable(let message): "ZoneMinder database unavailable: \(message)"
        case .rejected(let code, let message): "ZoneMinder database error \(code): \(message)"
        }
    }

    public var isUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }
}
