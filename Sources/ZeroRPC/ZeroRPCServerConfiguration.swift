import ZeroMQ

/// How a zerorpc server listens and behaves on the wire.
public struct ZeroRPCServerConfiguration: Sendable, Equatable {
    /// Reported by `_zerorpc_name` and `_zerorpc_ping`; the original face server's class was `DetectRPC`.
    public var name: String
    /// `ipc:///path` and/or `tcp://host:port`; all are served by one ROUTER socket.
    public var endpoints: [String]
    /// `_zpc_hb` is sent on every open channel this often while its call runs. 5 s satisfies
    /// zerorpc-python's default clients and node clients at any interval.
    public var heartbeatInterval: Duration
    /// A peer that sends a larger message is disconnected by libzmq; the server stays up.
    public var maxMessageBytes: Int64
    /// On shutdown, in-flight calls get this long to finish before the server stops anyway.
    public var drainTimeout: Duration

    public init(
        name: String, endpoints: [String], heartbeatInterval: Duration = .seconds(5),
        maxMessageBytes: Int64 = 16 << 20, drainTimeout: Duration = .seconds(20)
    ) {
        self.name = name
        self.endpoints = endpoints
        self.heartbeatInterval = heartbeatInterval
        self.maxMessageBytes = maxMessageBytes
        self.drainTimeout = drainTimeout
    }
}
