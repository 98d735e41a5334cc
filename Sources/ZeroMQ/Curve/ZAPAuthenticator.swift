import Foundation
import Synchronization

/// Decides which CURVE clients may finish their handshake with the sockets of one context: the ZAP
/// handler (ZeroMQ RFC 27) libzmq asks at `inproc://zeromq.zap.01` before it accepts a peer. With
/// a client-key directory only the public keys of its `*.key` files get in; the directory is read
/// again at every handshake, so adding or deleting a file takes effect for the next connection
/// without a restart. Without one, any client that knows the server's public key gets in (the
/// traffic is still encrypted).
///
/// It runs on its own thread because the REP socket must answer while the owner's thread is busy
/// or idle in a blocking call (the PUB thread only wakes to send).
public final class ZAPAuthenticator: Sendable {
    public struct Decision: Sendable {
        public let allowed: Bool
        /// The client's public key (Z85).
        public let clientKey: String
        /// The peer's IP address.
        public let address: String
        public let reason: String
    }

    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Binds the handler in `context` before returning, so no handshake can slip past it.
    public init(
        context: ZMQContext, clientKeysDirectory: String?, onDecision: @escaping @Sendable (Decision) -> Void
    ) throws(ZMQError) {
        let started = DispatchSemaphore(value: 0)
        let startError = Mutex<ZMQError?>(nil)
        let thread = Thread { [weak self, finished] in
            defer { finished.signal() }
            let socket: ZMQSocket
            do throws(ZMQError) {
                socket = try ZMQSocket(context: context, type: .rep)
                try socket.bind("inproc://zeromq.zap.01")
            } catch {
                startError.withLock { $0 = error }
                started.signal()
                return
            }
            started.signal()
            defer { socket.close() }
            var poller = ZMQPoller([.socket(socket)])
            // Weak: an authenticator dropped without stop() ends its thread too.
            while let self, !self.stopRequested.load(ordering: .relaxed) {
                guard (try? poller.poll(timeoutMilliseconds: 250))?.first == true,
                    let request = try? socket.receive()
                else { continue }
                let (reply, decision) = Self.answer(request, clientKeysDirectory: clientKeysDirectory)
                _ = try? socket.send(reply)
                if let decision { onDecision(decision) }
            }
        }
        thread.name = "zmq-zap"
        thread.start()
        started.wait()
        if let error = startError.withLock({ $0 }) {
            finished.wait()
            throw error
        }
    }

    /// Stops the thread and waits for it, so its socket is closed before the context terminates.
    public func stop() {
        guard !stopRequested.exchange(true, ordering: .relaxed) else { return }
        finished.wait()
    }

    /// The reply frames to one ZAP request, and the decision when it was a CURVE handshake.
    static func answer(_ frames: [[UInt8]], clientKeysDirectory: String?) -> ([[UInt8]], Decision?) {
        // version, request id, domain, address, routing id, mechanism, credentials…
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else {
            let id = frames.count > 1 ? frames[1] : []
            return (reply(id, "400", "malformed ZAP request"), nil)
        }
        let requestID = frames[1]
        let address = String(decoding: frames[3], as: UTF8.self)
        guard frames[5] == Array("CURVE".utf8), frames.count == 7, let clientKey = CurveKeyPair.encode(frames[6])
        else {
            return (reply(requestID, "400", "only CURVE clients are accepted"), nil)
        }
        let (allowed, reason) = Self.isAllowed(clientKey, clientKeysDirectory: clientKeysDirectory)
        let decision = Decision(allowed: allowed, clientKey: clientKey, address: address, reason: reason)
        return (reply(requestID, allowed ? "200" : "400", reason, userID: allowed ? clientKey : ""), decision)
    }

    private static func isAllowed(_ clientKey: String, clientKeysDirectory: String?) -> (Bool, String) {
        guard let clientKeysDirectory else { return (true, "any client with the server key") }
        do {
            let keys = try CurveCertificate.publicKeys(inDirectory: clientKeysDirectory)
            return keys.contains(clientKey) ? (true, "listed client key") : (false, "client key not listed")
        } catch {
            // An unreadable directory denies everyone rather than everyone getting in.
            return (false, "client keys unreadable: \(error)")
        }
    }

    private static func reply(_ requestID: [UInt8], _ status: String, _ text: String, userID: String = "") -> [[UInt8]]
    {
        [Array("1.0".utf8), requestID, Array(status.utf8), Array(text.utf8), Array(userID.utf8), []]
    }
}
