/// A PostgreSQL failure, split by what the caller can do about it.
public enum PostgresError: Error, Equatable, CustomStringConvertible {
    /// The server cannot be reached or the connection broke: retry later, nothing was committed.
    case unavailable(String)
    /// The server rejected a statement (SQLSTATE and message): retrying the same thing will fail again.
    case rejected(sqlState: String, message: String)

    public var description: String {
        switch self {
        case .unavailable(let message): "PostgreSQL unavailable: \(message)"
        case .rejected(let state, let message): "PostgreSQL error \(state): \(message)"
        }
    }

    public var isUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }
}
