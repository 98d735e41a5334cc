public import Logging
public import ZeroMQ

extension Logger {
    /// One line per CURVE handshake: accepted ones at info, refused ones (with the key, to add it
    /// to `curve.clientKeys` or to chase it) at warning.
    public func log(_ decision: ZAPAuthenticator.Decision, socket: String) {
        log(
            level: decision.allowed ? .info : .warning,
            decision.allowed ? "curve client accepted" : "curve client refused",
            metadata: [
                "socket": "\(socket)", "client_key": "\(decision.clientKey)", "address": "\(decision.address)",
                "reason": "\(decision.reason)",
            ])
    }
}
