import Foundation
public import Logging
import MessagePack
import Synchronization
public import ZeroMQ

/// A zerorpc v3 server on one ZeroMQ ROUTER socket, wire-compatible with zerorpc-python 0.6.x and
/// zerorpc-node clients (see zerorpc-protocol.md).
///
/// One I/O thread owns the socket: it receives requests, starts each call as a task, sends replies
/// posted back by those tasks, and heartbeats every open channel on a timer of its own, so a long or
/// CPU-bound call never starves heartbeats. The methods know nothing of the wire.
public final class ZeroRPCServer: Sendable {
    public let configuration: ZeroRPCServerConfiguration
    public let security: ServerSocketSecurity
    private let methods: [String: ZeroRPCMethod]
    private let mailbox = Mailbox()
    private let counters = Counters()
    private let logger: Logger

    public init(
        configuration: ZeroRPCServerConfiguration, security: ServerSocketSecurity = .init(), methods: [ZeroRPCMethod],
        logger: Logger
    ) {
        self.configuration = configuration
        self.security = security
        self.methods = Dictionary(methods.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.logger = logger
    }

    public var statistics: ZeroRPCStatistics { counters.withLock { $0 } }

    /// The statistics, shared between the I/O thread and readers.
    fileprivate final class Counters: Sendable {
        private let state = Mutex(ZeroRPCStatistics())

        func withLock<Result>(_ body: (inout ZeroRPCStatistics) -> Result) -> Result {
            state.withLock { body(&$0) }
        }
    }

    /// Binds every endpoint, calls `onBound` with the endpoints as bound (a `tcp://…:*` port resolved),
    /// then serves until `shutdown()`. Returns once in-flight calls are answered or the drain timeout
    /// passed. Throws if an endpoint cannot be bound.
    public func run(onBound: @escaping @Sendable ([String]) -> Void = { _ in }) async throws {
        let (configuration, security, methods, mailbox, counters, logger) = (
            configuration, security, methods, mailbox, counters, logger
        )
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                // The loop and its sockets are made on, and never leave, this thread.
                let loop = ServerLoop(
                    configuration: configuration, security: security, methods: methods, mailbox: mailbox,
                    counters: counters, logger: logger)
                continuation.resume(with: Result { try loop.run(onBound: onBound) })
            }
            thread.name = "zerorpc-io"
            thread.start()
        }
    }

    /// Stops taking new calls (they get `ERR ServerShuttingDown`), lets running calls finish within
    /// the drain timeout, then makes `run()` return.
    public func shutdown() {
        mailbox.requestStop()
    }
}

/// Everything the I/O thread owns. Not Sendable: it never leaves that thread.
private final class ServerLoop {
    private struct Channel {
        var nextHeartbeat: ContinuousClock.Instant
    }

    private let configuration: ZeroRPCServerConfiguration
    private let security: ServerSocketSecurity
    private let methods: [String: ZeroRPCMethod]
    private let mailbox: Mailbox
    private let counters: ZeroRPCServer.Counters
    private let logger: Logger
    private let decoder = MessagePackDecoder()
    private let clock = ContinuousClock()
    private var channels: [ChannelKey: Channel] = [:]
    private var ids = MessageIDGenerator()

    init(
        configuration: ZeroRPCServerConfiguration, security: ServerSocketSecurity, methods: [String: ZeroRPCMethod],
        mailbox: Mailbox, counters: ZeroRPCServer.Counters, logger: Logger
    ) {
        self.configuration = configuration
        self.security = security
        self.methods = methods
        self.mailbox = mailbox
        self.counters = counters
        self.logger = logger
    }

    func run(onBound: ([String]) -> Void) throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context: context, type: .router)
        try router.setMaximumMessageSize(configuration.maxMessageBytes)
        let authenticator = try security.curve.map { curve in
            try ZAPAuthenticator(context: context, clientKeysDirectory: curve.clientKeysDirectory) {
                [counters, logger] decision in
                counters.withLock {
                    if decision.allowed { $0.curveClientsAllowed += 1 } else { $0.curveClientsDenied += 1 }
                }
                logger.log(decision, socket: "zerorpc")
            }
        }
        defer { authenticator?.stop() }
        let bound = try router.bind(configuration.endpoints, security: security)
        defer {
            router.close()
            for endpoint in bound where endpoint.hasPrefix("ipc://") { unlink(String(endpoint.dropFirst(6))) }
        }
        var listening: Logger.Metadata = ["endpoints": .array(bound.map { .string($0) })]
        if let curve = security.curve {
            listening["curve_server_key"] = "\(curve.keyPair.publicKey)"
            listening["curve_clients"] = "\(curve.clientKeysDirectory ?? "any client with the server key")"
        }
        logger.info("zerorpc server listening", metadata: listening)
        onBound(bound)

        var poller = ZMQPoller([.socket(router), .fileDescriptor(mailbox.wakeReadFD)])
        var stopDeadline: ContinuousClock.Instant?
        while true {
            _ = try poller.poll(timeoutMilliseconds: pollTimeout(until: stopDeadline))
            let (replies, stopRequested) = mailbox.take()
            for reply in replies { deliver(reply, on: router) }
            if stopRequested && stopDeadline == nil {
                stopDeadline = clock.now + configuration.drainTimeout
                logger.info("zerorpc server stopping", metadata: ["in_flight": "\(channels.count)"])
            }
            var budget = 1000  // keep heartbeats and replies flowing under a flood of requests
            while budget > 0, let frames = try router.receive() {
                handle(frames, on: router, stopping: stopDeadline != nil)
                budget -= 1
            }
            sendHeartbeats(on: router)
            if let stopDeadline, channels.isEmpty || clock.now >= stopDeadline {
                if !channels.isEmpty {
                    logger.warning("zerorpc drain timeout: calls abandoned", metadata: ["calls": "\(channels.count)"])
                }
                return
            }
        }
    }

    private func pollTimeout(until stopDeadline: ContinuousClock.Instant?) -> Int {
        var wake = clock.now + .seconds(1)
        for channel in channels.values where channel.nextHeartbeat < wake { wake = channel.nextHeartbeat }
        if let stopDeadline, stopDeadline < wake { wake = stopDeadline }
        let milliseconds = (wake - clock.now).components
        return max(0, Int(milliseconds.seconds) * 1000 + Int(milliseconds.attoseconds / 1_000_000_000_000_000))
    }

    // MARK: Incoming

    private func handle(_ frames: [[UInt8]], on router: ZMQSocket, stopping: Bool) {
        guard frames.count >= 2, let payload = frames.last else { return drop("message without payload") }
        var envelope = Array(frames.dropLast())
        if envelope.count > 1, envelope.last?.isEmpty == true { envelope.removeLast() }

        let event: ZeroRPCEvent
        do {
            event = try ZeroRPCEvent.decode(payload, decoder: decoder)
        } catch {
            return drop("not a zerorpc event: \(error)")
        }
        if let channelID = event.responseTo {
            let key = ChannelKey(envelope: envelope, id: channelID)
            guard channels[key] != nil else { return drop("event \(event.name) for a closed or unknown channel") }
            // Client heartbeats are counted, never required (zerorpc-node sends none on short calls).
            if event.name == .string("_zpc_hb") { counters.withLock { $0.heartbeatsReceived += 1 } }
            return  // _zpc_more and anything else on an open channel: nothing to do (no streaming)
        }
        let key = ChannelKey(envelope: envelope, id: event.messageID)
        guard channels[key] == nil else { return drop("duplicate request id") }
        counters.withLock { $0.requests += 1 }

        guard case .string(let name) = event.name else {
            return reply(key, .error(ZeroRPCError(name: "NameError", message: pythonRepr(event.name))), on: router)
        }
        guard case .array(let arguments) = event.arguments else {
            return reply(
                key, .error(ZeroRPCError(name: "TypeError", message: "arguments of \(name) must be an array")),
                on: router)
        }
        if stopping {
            return reply(
                key, .error(ZeroRPCError(name: "ServerShuttingDown", message: "server is stopping")), on: router)
        }
        if let answer = introspect(name, arguments) {
            return reply(key, answer, on: router)
        }
        guard let method = methods[name] else {
            return reply(key, .error(ZeroRPCError(name: "NameError", message: name)), on: router)
        }
        channels[key] = Channel(nextHeartbeat: clock.now + configuration.heartbeatInterval)
        counters.withLock { $0.inFlight += 1 }
        let mailbox = mailbox
        Task.detached {
            let outcome: Mailbox.Outcome
            do {
                outcome = .ok(try await method.handler(arguments))
            } catch {
                outcome = .error(ZeroRPCError(wrapping: error))
            }
            mailbox.post(Mailbox.Reply(channel: key, outcome: outcome))
        }
    }

    private func drop(_ reason: String) {
        counters.withLock { $0.dropped += 1 }
        logger.debug("zerorpc message dropped", metadata: ["reason": "\(reason)"])
    }

    // MARK: Outgoing

    private func deliver(_ reply: Mailbox.Reply, on router: ZMQSocket) {
        guard channels.removeValue(forKey: reply.channel) != nil else { return }
        counters.withLock { $0.inFlight -= 1 }
        self.reply(reply.channel, reply.outcome, on: router)
    }

    private func reply(_ channel: ChannelKey, _ outcome: Mailbox.Outcome, on router: ZMQSocket) {
        switch outcome {
        case .ok(let value):
            counters.withLock { $0.succeeded += 1 }
            send(on: channel, name: "OK", arguments: .array([value]), via: router)
        case .error(let error):
            counters.withLock { $0.failed += 1 }
            send(
                on: channel, name: "ERR",
                arguments: .array([.string(error.name), .string(error.message), .string(error.traceback)]), via: router)
        }
    }

    private func sendHeartbeats(on router: ZMQSocket) {
        let now = clock.now
        for (key, channel) in channels where channel.nextHeartbeat <= now {
            send(on: key, name: "_zpc_hb", arguments: .array([.int(0)]), via: router)
            channels[key]?.nextHeartbeat = now + configuration.heartbeatInterval
            counters.withLock { $0.heartbeatsSent += 1 }
        }
    }

    /// Envelope, the empty delimiter (node clients drop replies without it), then the event. A ROUTER
    /// silently drops messages for peers that are gone, which is what a disconnected caller needs.
    private func send(on channel: ChannelKey, name: String, arguments: MessagePackValue, via router: ZMQSocket) {
        let payload = ZeroRPCEvent.encode(
            messageID: ids.next(), responseTo: channel.id, name: name, arguments: arguments)
        do {
            try router.send(channel.envelope + [[], payload], blocking: false)
        } catch {
            logger.warning("zerorpc send failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Introspection (the methods zerorpc-python adds to every server)

    private func introspect(_ name: String, _ arguments: [MessagePackValue]) -> Mailbox.Outcome? {
        let publicNames = methods.keys.sorted()
        func method(_ value: MessagePackValue?) -> Result<ZeroRPCMethod, ZeroRPCError> {
            guard let requested = value?.stringValue else {
                return .failure(ZeroRPCError(name: "TypeError", message: "\(name) takes a method name"))
            }
            guard let found = methods[requested] else {
                return .failure(ZeroRPCError(name: "KeyError", message: "'\(requested)'"))
            }
            return .success(found)
        }
        func documentation(_ method: ZeroRPCMethod) -> MessagePackValue {
            method.documentation.map { .string($0) } ?? .nil
        }
        switch name {
        case "_zerorpc_ping":
            return .ok(.array([.string("pong"), .string(configuration.name)]))
        case "_zerorpc_name":
            return .ok(.string(configuration.name))
        case "_zerorpc_list":
            return .ok(.array(publicNames.map { .string($0) }))
        case "_zerorpc_help":
            switch method(arguments.first) {
            case .success(let found): return .ok(documentation(found))
            case .failure(let error): return .error(error)
            }
        case "_zerorpc_args":
            switch method(arguments.first) {
            case .success(let found):
                return .ok(.array([.array(found.argumentNames.map { .string($0) }), .nil, .nil, .nil]))
            case .failure(let error): return .error(error)
            }
        case "_zerorpc_inspect":
            let described = publicNames.compactMap { methods[$0] }.map {
                method -> (MessagePackValue, MessagePackValue) in
                let arguments = MessagePackValue.array(
                    method.argumentNames.map { .map([(.string("name"), .string($0))]) })
                return (
                    .string(method.name), .map([(.string("args"), arguments), (.string("doc"), documentation(method))])
                )
            }
            return .ok(
                .map([
                    (.string("name"), .string(configuration.name)),
                    (.string("methods"), .map(described.map { ($0, $1) })),
                ]))
        default:
            return nil
        }
    }

    /// How zerorpc-python names a method it cannot find when the name was not a string (e.g. `b'add'`).
    private func pythonRepr(_ value: MessagePackValue) -> String {
        switch value {
        case .binary(let bytes): "b'\(String(decoding: bytes, as: UTF8.self))'"
        default: "\(value)"
        }
    }
}
