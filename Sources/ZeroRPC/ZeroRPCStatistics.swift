/// Counters of what the server saw, for logs, metrics and tests.
public struct ZeroRPCStatistics: Sendable, Equatable {
    /// Requests that opened a channel (introspection included).
    public var requests = 0
    /// Calls answered with OK / with ERR.
    public var succeeded = 0
    public var failed = 0
    /// Messages that were not zerorpc events, or events for unknown channels, dropped as
    /// zerorpc-python drops them.
    public var dropped = 0
    public var heartbeatsSent = 0
    public var heartbeatsReceived = 0
    /// CURVE handshakes accepted / refused (tcp endpoints with `curve` set).
    public var curveClientsAllowed = 0
    public var curveClientsDenied = 0
    /// Calls still running.
    public var inFlight = 0

    public init() {}
}
