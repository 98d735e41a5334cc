internal import CZmq
import Foundation

public enum ZMQSocketType: Sendable {
    case router, dealer, pub, sub, pair, push, pull, rep

    var raw: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .pair: ZMQ_PAIR
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .rep: ZMQ_REP
        }
    }
}

/// One libzmq socket. Not `Sendable`: libzmq sockets must be used by one thread at a time, so each
/// belongs to the thread that made it (the zerorpc I/O thread, the PUB thread, …).
public final class ZMQSocket {
    let handle: UnsafeMutableRawPointer
    /// Held so the context cannot terminate (which waits for every socket of it) while this is open.
    private let context: ZMQContext
    private var closed = false

    public init(context: ZMQContext, type: ZMQSocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.raw) else { throw ZMQError("zmq_socket") }
        self.handle = handle
        self.context = context
        // Never let a close block on undelivered messages (the default waits forever).
        var linger: Int32 = 0
        zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
    }

    deinit {
        close()
    }

    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }

    public func bind(_ endpoint: String) throws(ZMQError) {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError("bind \(endpoint)") }
    }

    public func unbind(_ endpoint: String) throws(ZMQError) {
        guard zmq_unbind(handle, endpoint) == 0 else { throw ZMQError("unbind \(endpoint)") }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError("connect \(endpoint)") }
    }

    /// The endpoint actually bound last, e.g. with the port chosen for `tcp://127.0.0.1:*`.
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 512)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return "" }
        return String(zmqText: buffer)
    }

    /// Peers sending a single message larger than this are disconnected by libzmq (-1: no limit).
    public func setMaximumMessageSize(_ bytes: Int64) throws(ZMQError) {
        var value = bytes
        guard zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError("set ZMQ_MAXMSGSIZE")
        }
    }

    public func setSendHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setInt(ZMQ_SNDHWM, messages, "ZMQ_SNDHWM")
    }

    public func setReceiveHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setInt(ZMQ_RCVHWM, messages, "ZMQ_RCVHWM")
    }

    /// Milliseconds a blocking receive waits before failing with EAGAIN (-1: forever).
    public func setReceiveTimeout(milliseconds: Int32) throws(ZMQError) {
        try setInt(ZMQ_RCVTIMEO, milliseconds, "ZMQ_RCVTIMEO")
    }

    public func setSendTimeout(milliseconds: Int32) throws(ZMQError) {
        try setInt(ZMQ_SNDTIMEO, milliseconds, "ZMQ_SNDTIMEO")
    }

    public func subscribe(_ prefix: [UInt8]) throws(ZMQError) {
        let status = prefix.withUnsafeBytes { zmq_setsockopt(handle, ZMQ_SUBSCRIBE, $0.baseAddress, $0.count) }
        guard status == 0 else { throw ZMQError("set ZMQ_SUBSCRIBE") }
    }

    /// Makes later binds CURVE servers holding `keyPair` (libzmq copies the options into each
    /// listener when it binds, so endpoints bound before stay as they were).
    public func setCurveServer(_ keyPair: CurveKeyPair, domain: String = "zmface") throws(ZMQError) {
        try setInt(ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER")
        try setString(ZMQ_CURVE_SECRETKEY, keyPair.secretKey, "ZMQ_CURVE_SECRETKEY")
        try setString(ZMQ_ZAP_DOMAIN, domain, "ZMQ_ZAP_DOMAIN")
    }

    /// Makes later connects CURVE clients of the server whose public key is `serverKey`.
    public func setCurveClient(serverKey: String, keyPair: CurveKeyPair) throws(ZMQError) {
        try setString(ZMQ_CURVE_SERVERKEY, serverKey, "ZMQ_CURVE_SERVERKEY")
        try setString(ZMQ_CURVE_PUBLICKEY, keyPair.publicKey, "ZMQ_CURVE_PUBLICKEY")
        try setString(ZMQ_CURVE_SECRETKEY, keyPair.secretKey, "ZMQ_CURVE_SECRETKEY")
    }

    private func setString(_ option: Int32, _ value: String, _ name: String) throws(ZMQError) {
        let bytes = Array(value.utf8)
        let status = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard status == 0 else { throw ZMQError("set \(name)") }
    }

    private func setInt(_ option: Int32, _ value: Int32, _ name: String) throws(ZMQError) {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError("set \(name)")
        }
    }

    /// Sends all frames as one multipart message. With `blocking: false`, returns false instead of
    /// waiting when the message cannot be queued (high-water mark reached, or no peer).
    @discardableResult
    public func send(_ frames: [[UInt8]], blocking: Bool = true) throws(ZMQError) -> Bool {
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if !blocking { flags |= ZMQ_DONTWAIT }
            let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if sent < 0 {
                let error = ZMQError("zmq_send")
                // libzmq queues a multipart message atomically: failing on the first frame sends nothing.
                if error.wouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one whole multipart message; nil when none is waiting (non-blocking) or the receive
    /// timed out.
    public func receive(blocking: Bool = false) throws(ZMQError) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        repeat {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            if zmq_msg_recv(&message, handle, blocking || !frames.isEmpty ? 0 : ZMQ_DONTWAIT) < 0 {
                let error = ZMQError("zmq_msg_recv")
                if error.wouldBlock && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            let data = zmq_msg_data(&message).assumingMemoryBound(to: UInt8.self)
            frames.append(Array(UnsafeBufferPointer(start: data, count: size)))
        } while hasMoreFrames
        return frames
    }

    private var hasMoreFrames: Bool {
        var more: Int32 = 0
        var size = MemoryLayout<Int32>.size
        zmq_getsockopt(handle, ZMQ_RCVMORE, &more, &size)
        return more != 0
    }
}
