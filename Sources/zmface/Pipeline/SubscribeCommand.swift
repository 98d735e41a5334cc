import ArgumentParser
import Foundation
import Sink
import ZeroMQ

struct SubscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Print the results a zmface server publishes, as JSON lines, and report gaps.",
        discussion: """
            Each message is printed as {"topic": …, "message": {…}}. A missed sequence number (a slow \
            subscriber at the high-water mark, a reconnect) is printed as {"gap": {"server", "session", \
            "from", "to"}} and on stderr; a server restart as {"newSession": …}. Missed results can be \
            re-read from PostgreSQL.

            Examples:
              zmface subscribe --endpoint tcp://127.0.0.1:5556
              zmface subscribe --topic face/3/ --count 10
              zmface subscribe --endpoint tcp://nvr:5556 --server-key server.key --client-key me.key_secret
            """
    )

    @Option(help: "PUB endpoint to connect to (default: the first publish.endpoints entry of worker.json).")
    var endpoint: String?

    @Option(help: "worker.json to take the endpoint from.")
    var config: String?

    @Option(help: "Topic prefix to subscribe to (repeatable; default: everything).")
    var topic: [String] = []

    @Option(help: "Exit after this many messages.")
    var count: Int?

    @Option(help: "Exit after this many seconds without a message.")
    var idleTimeout: Double?

    @Option(help: "The server's public CURVE certificate (NAME.key) when its tcp PUB endpoint uses CURVE.")
    var serverKey: String?

    @Option(
        help: """
            This client's secret certificate (NAME.key_secret) when the server lists allowed clients; \
            default with --server-key: a throwaway key pair.
            """)
    var clientKey: String?

    func validate() throws {
        if clientKey != nil && serverKey == nil {
            throw ValidationError("--client-key needs --server-key (the server's public certificate)")
        }
    }

    func run() throws {
        do {
            let target = try resolvedEndpoint()
            let context = try ZMQContext()
            let socket = try ZMQSocket(context: context, type: .sub)
            defer { socket.close() }
            for prefix in topic.isEmpty ? [""] : topic { try socket.subscribe(Array(prefix.utf8)) }
            try socket.setReceiveTimeout(milliseconds: 200)
            if let serverKey {
                let pair = try clientKey.map { try CurveCertificate.keyPair(atPath: $0) } ?? CurveKeyPair.generate()
                try socket.setCurveClient(serverKey: try CurveCertificate.publicKey(atPath: serverKey), keyPair: pair)
            }
            try socket.connect(target)
            var detector = SequenceGapDetector()
            var received = 0
            var lastMessage = Date()
            while count.map({ received < $0 }) ?? true {
                guard let frames = try socket.receive(blocking: true), frames.count == 2 else {
                    if let idleTimeout, Date().timeIntervalSince(lastMessage) > idleTimeout { break }
                    continue
                }
                lastMessage = Date()
                received += 1
                let topicText = String(decoding: frames[0], as: UTF8.self)
                let body = Data(frames[1])
                if let envelope = try? JSONDecoder().decode(EnvelopeFields.self, from: body) {
                    report(
                        detector.check(server: envelope.server, session: envelope.session, seq: envelope.seq), envelope)
                }
                var line = Data("{\"topic\":".utf8)
                line.append(try JSONEncoder().encode(topicText))
                line.append(Data(",\"message\":".utf8))
                line.append(body)
                line.append(Data("}\n".utf8))
                FileHandle.standardOutput.write(line)
            }
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }

    private struct EnvelopeFields: Decodable {
        var server: String
        var session: String
        var seq: UInt64
    }

    /// One line about the numbering, e.g. {"gap": {"server", "session", "from", "to"}}.
    private struct SequenceNotice: Encodable {
        var server: String
        var session: String?
        var from, to, seq, expected, got: UInt64?
    }

    private func report(_ check: SequenceCheck, _ envelope: EnvelopeFields) {
        let notice: [String: SequenceNotice]
        switch check {
        case .first, .inOrder:
            return
        case .gap(let from, let to):
            FileHandle.standardError.write(
                Data("zmface subscribe: missed messages \(from)...\(to) from \(envelope.server)\n".utf8))
            notice = ["gap": .init(server: envelope.server, session: envelope.session, from: from, to: to)]
        case .newSession(let seq):
            FileHandle.standardError.write(Data("zmface subscribe: \(envelope.server) restarted (new session)\n".utf8))
            notice = ["newSession": .init(server: envelope.server, session: envelope.session, seq: seq)]
        case .outOfOrder(let expected, let got):
            notice = ["outOfOrder": .init(server: envelope.server, expected: expected, got: got)]
        }
        try? JSONLines.write(notice)
    }

    private func resolvedEndpoint() throws -> String {
        if let endpoint { return endpoint }
        let path = ServerConfiguration.path(explicit: config)
        guard let path, let first = try ServerConfiguration.load(path: path).publish.endpoints.first else {
            throw CommandError.message("no endpoint: pass --endpoint or configure publish.endpoints")
        }
        // A server binds tcp://*:5556 or tcp://0.0.0.0:5556; a subscriber connects to a host.
        return first.replacingOccurrences(of: "://*:", with: "://127.0.0.1:")
            .replacingOccurrences(of: "://0.0.0.0:", with: "://127.0.0.1:")
    }
}
