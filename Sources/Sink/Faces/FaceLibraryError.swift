/// Why a faces-page request could not be done; each case says what the caller can do about it.
public enum FaceLibraryError: Error, Equatable, CustomStringConvertible {
    /// The cluster, face or person does not exist (or no longer: merged or deleted by someone else).
    case notFound(String)
    /// The request does not fit the current state (a face that is not in the cluster any more…).
    case conflict(String)
    /// The request itself is wrong whatever the state (splitting off every face…).
    case invalid(String)

    public var description: String {
        switch self {
        case .notFound(let message), .conflict(let message), .invalid(let message): message
        }
    }
}
