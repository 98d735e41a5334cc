/// What a subscriber learns from a message's envelope: whether anything was missed since the last
/// message of the same server.
public enum SequenceCheck: Equatable, Sendable {
    /// The first message seen from this server, numbered 1: nothing was missed.
    case first(seq: UInt64)
    case inOrder
    /// Messages `from...to` never arrived (slow subscriber at the high-water mark, reconnect).
    case gap(from: UInt64, to: UInt64)
    /// The server restarted: numbering began again in a new session.
    case newSession(seq: UInt64)
    /// An old or repeated number (should not happen with one PUB socket).
    case outOfOrder(expected: UInt64, got: UInt64)
}

/// Tracks `(server, session, seq)` per server.
public struct SequenceGapDetector: Sendable {
    private var last: [String: (session: String, seq: UInt64)] = [:]

    public init() {}

    public mutating func check(server: String, session: String, seq: UInt64) -> SequenceCheck {
        defer { last[server] = (session, seq) }
        guard let previous = last[server] else {
            // Connected late: messages 1..<seq of this session went out before we subscribed.
            return seq > 1 ? .gap(from: 1, to: seq - 1) : .first(seq: seq)
        }
        guard previous.session == session else {
            return seq > 1 ? .gap(from: 1, to: seq - 1) : .newSession(seq: seq)
        }
        if seq == previous.seq + 1 { return .inOrder }
        if seq > previous.seq + 1 { return .gap(from: previous.seq + 1, to: seq - 1) }
        return .outOfOrder(expected: previous.seq + 1, got: seq)
    }
}
