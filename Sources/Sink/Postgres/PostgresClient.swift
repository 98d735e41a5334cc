import Foundation
import ZMFaceCore

/// One PostgreSQL connection on its own thread, made on first use and remade after it breaks.
/// Callers decide how long to keep retrying (`PostgresError.unavailable`); nothing here sleeps.
public final class PostgresClient: Sendable {
    private let thread: DedicatedThread<PostgresConnection?>
    private let conninfo: String

    public init(conninfo: String, name: String = "postgres") {
        self.conninfo = conninfo
        self.thread = DedicatedThread(name: name) { nil }
    }

    /// Runs `body` with a live connection on the client's thread.
    func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        try await thread.perform { [conninfo] connection in
            if connection?.isBroken ?? true {
                connection = nil
                connection = try PostgresConnection(conninfo: conninfo)
            }
            do {
                return try body(connection!)
            } catch let error as PostgresError where error.isUnavailable {
                connection = nil
                throw error
            }
        }
    }

    /// Closes the connection and ends the thread.
    public func close() {
        thread.stop()
    }
}
