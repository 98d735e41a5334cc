/// A ZoneMinder database failure, split by what the caller can do about it.
public enum MariaDBError: Error, Equatable, CustomStringConvertible {
    /// The server cannot be reached or the connection broke: pause and retry, skip nothing.
    case unavailable(String)
    /// The server rejected a statement (errno and message).
    case rejected(code: UInt32, message: String)
    /// The server refused the login (account, password, database). Counted as unavailable (an
    /// operator may fix it while ingestion waits) but told apart for callers that must not wait.
    case loginRefused(code: UInt32, message: String)

    public var description: String {
        switch self {
        case .unavailable(let message): "ZoneMinder database unavailable: \(message)"
        case .rejected(let code, let message): "ZoneMinder database error \(code): \(message)"
        case .loginRefused(let code, let message): "ZoneMinder database refused the login (\(code)): \(message)"
        }
    }

    public var isUnavailable: Bool {
        switch self {
        case .unavailable, .loginRefused: true
        case .rejected: false
        }
    }

    public var isLoginRefused: Bool {
        if case .loginRefused = self { return true }
        return false
    }
}
