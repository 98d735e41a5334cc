/// A database connection on its own thread, made on first use and made again after it broke.
/// Callers decide how long to keep retrying; nothing here sleeps. The connection (a C handle)
/// never leaves the thread.
public final class ReconnectingConnection<Connection>: Sendable {
    private let thread: DedicatedThread<Connection?>
    private let connect: @Sendable () throws -> Connection
    private let isBroken: @Sendable (Connection) -> Bool
    private let isConnectionLost: @Sendable (any Error) -> Bool

    /// `isBroken` tells a connection that must be replaced before use; `isConnectionLost` an error
    /// after which it is dropped (and made again on the next call).
    public init(
        name: String, connect: @escaping @Sendable () throws -> Connection,
        isBroken: @escaping @Sendable (Connection) -> Bool = { _ in false },
        isConnectionLost: @escaping @Sendable (any Error) -> Bool
    ) {
        self.thread = DedicatedThread(name: name) { nil }
        self.connect = connect
        self.isBroken = isBroken
        self.isConnectionLost = isConnectionLost
    }

    /// Runs `body` with a live connection on the connection's thread.
    public func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (Connection) throws -> Result
    ) async throws -> Result {
        try await thread.perform { [connect, isBroken, isConnectionLost] slot in
            if slot.map({ isBroken($0) }) ?? true {
                slot = nil  // the broken one is closed before its replacement opens
                slot = try connect()
            }
            do {
                return try body(slot!)
            } catch  where isConnectionLost(error) {
                slot = nil
                throw error
            }
        }
    }

    /// Closes the connection and ends the thread.
    public func close() {
        thread.stop()
    }
}
