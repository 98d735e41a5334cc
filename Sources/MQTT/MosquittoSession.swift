import CMosquitto
import Foundation

/// One libmosquitto client handle and what its callbacks reported. It lives on the client's thread
/// only: libmosquitto calls the callbacks from inside `mosquitto_loop`, on the calling thread, so
/// the callbacks just note what happened and the loop acts on it afterwards.
final class MosquittoSession {
    enum Event {
        /// CONNACK: 0 accepted, else the broker's refusal code.
        case connected(code: Int32)
        case disconnected(code: Int32)
        case acknowledged(messageID: Int32)
        case message(topic: String, payload: [UInt8])
    }

    private let handle: OpaquePointer
    private var events: [Event] = []
    /// libmosquitto's last error log line (OpenSSL's reason for a TLS failure, say), which its
    /// result codes leave out.
    private var lastLibraryError: String?

    /// mosquitto_lib_init sets up OpenSSL and is not thread-safe: once per process.
    private static let libraryReady: Bool = mosquitto_lib_init() == Int32(MOSQ_ERR_SUCCESS.rawValue)

    init(_ settings: MQTTClientSettings) throws(MQTTError) {
        guard Self.libraryReady else { throw .setup("mosquitto_lib_init failed") }
        // clean session: zmface republishes its state itself after every connection.
        guard let handle = mosquitto_new(settings.clientID, true, nil) else {
            throw .setup("mosquitto_new: \(String(cString: strerror(errno)))")
        }
        self.handle = handle
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_callback_set(handle) { _, context, code in
            MosquittoSession.from(context).events.append(.connected(code: code))
        }
        mosquitto_disconnect_callback_set(handle) { _, context, code in
            MosquittoSession.from(context).events.append(.disconnected(code: code))
        }
        mosquitto_publish_callback_set(handle) { _, context, messageID in
            MosquittoSession.from(context).events.append(.acknowledged(messageID: messageID))
        }
        mosquitto_message_callback_set(handle) { _, context, message in
            guard let message = message?.pointee, let topic = message.topic else { return }
            let payload =
                message.payload.map {
                    Array(UnsafeRawBufferPointer(start: $0, count: Int(max(0, message.payloadlen))))
                } ?? []
            MosquittoSession.from(context).events.append(.message(topic: String(cString: topic), payload: payload))
        }
        mosquitto_log_callback_set(handle) { _, context, level, text in
            guard level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING) != 0, let text else { return }
            MosquittoSession.from(context).lastLibraryError = String(cString: text)
        }
        try check("username", mosquitto_username_pw_set(handle, settings.username, settings.password))
        let offline = Array("offline".utf8)
        try check(
            "last will",
            mosquitto_will_set(handle, settings.availabilityTopic, Int32(offline.count), offline, settings.qos, true))
        if settings.broker.tls {
            // With no CA file, the system's CAs (Debian keeps them hashed in /etc/ssl/certs). The
            // broker's host name is checked against its certificate (tls_insecure stays false).
            try check(
                "TLS (caFile \(settings.caFile ?? "none"))",
                mosquitto_tls_set(
                    handle, settings.caFile, settings.caFile == nil ? "/etc/ssl/certs" : nil, nil, nil, nil))
            try check("TLS host name check", mosquitto_tls_insecure_set(handle, false))
        }
    }

    deinit {
        mosquitto_destroy(handle)
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> MosquittoSession {
        Unmanaged<MosquittoSession>.fromOpaque(context!).takeUnretainedValue()
    }

    private func check(_ what: String, _ code: Int32) throws(MQTTError) {
        guard code == Self.success else { throw .setup("\(what): \(Self.describe(code))") }
    }

    static let success = Int32(MOSQ_ERR_SUCCESS.rawValue)

    /// libmosquitto's text for a result code; for MOSQ_ERR_ERRNO, the system error.
    static func describe(_ code: Int32) -> String {
        if code == Int32(MOSQ_ERR_ERRNO.rawValue) { return String(cString: strerror(errno)) }
        return String(cString: mosquitto_strerror(code))
    }

    /// The broker's reason for refusing a connection (CONNACK code).
    static func describeRefusal(_ code: Int32) -> String {
        String(cString: mosquitto_connack_string(code))
    }

    /// Starts a connection (blocking while the name is looked up and the TCP connection made: for a
    /// broker whose SYNs go unanswered that is the kernel's ~2 minutes of retries, which is why
    /// `MQTTClient.stop` does not wait for this thread without limit); the broker's answer arrives
    /// later as `.connected`. Blocking, not `mosquitto_connect_async`: with our own
    /// `mosquitto_loop` libmosquitto supports only this one, and only it tries a name's next
    /// address (IPv4 after `::1`) when the first refuses.
    func connect(_ broker: MQTTBrokerAddress, keepAlive: Int32) -> Int32 {
        mosquitto_connect(handle, broker.host, Int32(broker.port), keepAlive)
    }

    /// Network I/O for up to `timeoutMilliseconds`; the callbacks' events are then in `takeEvents()`.
    func loop(timeoutMilliseconds: Int32) -> Int32 {
        mosquitto_loop(handle, timeoutMilliseconds, 1)
    }

    /// Whether libmosquitto still holds bytes to write (QoS 0 messages have no acknowledgement to
    /// wait for; this is how a stop knows they left).
    var wantsWrite: Bool { mosquitto_want_write(handle) }

    /// libmosquitto's last error line since the previous call, if any.
    func takeLibraryError() -> String? {
        defer { lastLibraryError = nil }
        return lastLibraryError
    }

    func takeEvents() -> [Event] {
        defer { events = [] }
        return events
    }

    /// Hands one message to libmosquitto; returns the result code and the message id.
    func publish(_ message: MQTTMessage, qos: Int32) -> (code: Int32, messageID: Int32) {
        var messageID: Int32 = 0
        let code = message.payload.withUnsafeBytes { bytes in
            mosquitto_publish(
                handle, &messageID, message.topic, Int32(bytes.count), bytes.baseAddress, qos, message.retain)
        }
        return (code, messageID)
    }

    func subscribe(_ topic: String, qos: Int32) -> Int32 {
        mosquitto_subscribe(handle, nil, topic, qos)
    }

    func disconnect() {
        _ = mosquitto_disconnect(handle)
    }

    /// Whether the result code means the connection is gone (rather than a bad message).
    static func isConnectionError(_ code: Int32) -> Bool {
        code != success && code != Int32(MOSQ_ERR_PAYLOAD_SIZE.rawValue)
            && code != Int32(MOSQ_ERR_INVAL.rawValue) && code != Int32(MOSQ_ERR_MALFORMED_UTF8.rawValue)
            && code != Int32(MOSQ_ERR_OVERSIZE_PACKET.rawValue)
    }
}
