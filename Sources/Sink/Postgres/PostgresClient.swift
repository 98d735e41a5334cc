import ZMFaceCore

/// One PostgreSQL connection on its own thread, made on first use and remade after it breaks.
/// Callers decide how long to keep retrying (`PostgresError.unavailable`); nothing here sleeps.
typealias PostgresClient = ReconnectingConnection<PostgresConnection>

extension ReconnectingConnection where Connection == PostgresConnection {
    convenience init(conninfo: String, name: String = "postgres") {
        self.init(
            name: name, connect: { try PostgresConnection(conninfo: conninfo) }, isBroken: { $0.isBroken },
            isConnectionLost: { ($0 as? PostgresError)?.isUnavailable == true })
    }
}
