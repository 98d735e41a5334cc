import Foundation
public import ZMFaceCore
public import ZeroMQ

/// The ZeroMQ PUB socket, on its own thread. Messages are two frames, the topic and a JSON object,
/// numbered consecutively per session so subscribers can see gaps (and re-read PostgreSQL for
/// them). Sending never blocks: a subscriber slower than the high-water mark loses messages at
/// ZeroMQ's level, which its sequence numbers reveal; the pipeline never waits for it.
public final class ResultPublisher: ResultAnnouncer {
    private final class State {
        var context: ZMQContext?
        var socket: ZMQSocket?
        var authenticator: ZAPAuthenticator?
        var sequence: UInt64 = 0
        var sent: UInt64 = 0
        var failed: UInt64 = 0

        /// The socket must close before its context terminates, or the termination waits forever.
        deinit {
            socket?.close()
            socket = nil
            authenticator?.stop()
            context = nil
        }
    }

    private let thread: DedicatedThread<State>
    public let serverID: String
    /// New at every start: a subscriber seeing another session knows the numbering restarted.
    public let session: String

    private init(serverID: String) {
        self.serverID = serverID
        self.session = UUID().uuidString.lowercased()
        self.thread = DedicatedThread(name: "zmq-pub") { State() }
    }

    /// Binds every endpoint; fails (naming the endpoint) if one cannot be bound.
    public static func start(
        endpoints: [String], highWaterMark: Int, serverID: String, security: ServerSocketSecurity = .init(),
        onCurveDecision: @escaping @Sendable (ZAPAuthenticator.Decision) -> Void = { _ in }
    ) async throws -> ResultPublisher {
        let publisher = ResultPublisher(serverID: serverID)
        do {
            try await publisher.thread.perform { state in
                let context = try ZMQContext()
                state.context = context
                if let curve = security.curve {
                    state.authenticator = try ZAPAuthenticator(
                        context: context, clientKeysDirectory: curve.clientKeysDirectory, onDecision: onCurveDecision)
                }
                let socket = try ZMQSocket(context: context, type: .pub)
                try socket.setSendHighWaterMark(Int32(clamping: highWaterMark))
                _ = try socket.bind(endpoints, security: security)
                state.socket = socket
            }
        } catch {
            publisher.stop()
            throw error
        }
        return publisher
    }

    /// The endpoints actually bound (with the port chosen for `tcp://…:*`).
    public func boundEndpoint() async throws -> String {
        try await thread.perform { $0.socket?.lastEndpoint ?? "" }
    }

    /// Publishes one message per face, then the event summary. Call only after the results are
    /// committed, so no message announces a result PostgreSQL does not have.
    public func announce(_ results: EventResults) async {
        var messages: [(topic: String, type: String, body: any Encodable & Sendable)] = MessageBuilder.faces(
            of: results
        ).map {
            ($0.topic, "face", $0.body)
        }
        let event = MessageBuilder.event(of: results)
        messages.append((event.topic, "event", event.body))
        await send(messages)
    }

    public func publishStatus(_ report: StatusReport) async {
        await send([("status", "status", report)])
    }

    /// Messages numbered so far, messages ZeroMQ refused.
    public func counts() async -> (published: UInt64, failed: UInt64) {
        (try? await thread.perform { ($0.sent, $0.failed) }) ?? (0, 0)
    }

    public func stop() {
        thread.stop()
    }

    private func send(_ messages: [(topic: String, type: String, body: any Encodable & Sendable)]) async {
        let (server, session) = (serverID, session)
        do {
            try await thread.perform { state in Self.send(messages, with: state, server: server, session: session) }
        } catch {
            // The socket's thread has stopped (shutdown): these results are committed but not announced.
            Telemetry.publishFailed(messages.count)
        }
    }

    /// Runs on the socket's thread. A message ZeroMQ refuses keeps its number, so subscribers see
    /// the gap; it is counted here and in `zmface_publish_failures_total`.
    private static func send(
        _ messages: [(topic: String, type: String, body: any Encodable & Sendable)], with state: State, server: String,
        session: String
    ) {
        guard let socket = state.socket else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for (topic, type, body) in messages {
            // Numbered here, on the one thread that sends, so numbers follow the send order.
            state.sequence += 1
            let envelope = Envelope(
                server: server, session: session, seq: state.sequence, type: type, body: AnyEncodable(body))
            let queued: Bool
            do {
                queued = try socket.send([Array(topic.utf8), Array(try encoder.encode(envelope))], blocking: false)
            } catch {
                queued = false
            }
            if queued {
                state.sent += 1
            } else {
                state.failed += 1
                Telemetry.publishFailed()
            }
        }
    }
}

/// Type erasure so bodies of different types go through one encoder.
private struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
