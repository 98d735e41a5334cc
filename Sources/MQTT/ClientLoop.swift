import Foundation
import Logging
import Synchronization
import ZMFaceCore

/// The outbox and the totals, shared by the callers (who queue messages and never wait) and the
/// client's thread (which sends them).
final class SharedClientState: Sendable {
    let outbox: Mutex<Outbox>
    let statistics = Mutex(MQTTStatistics())
    /// Set by `stop()`: the loop stops queueing its next turn.
    let stopping = Mutex(false)

    init(capacity: Int) {
        outbox = Mutex(Outbox(capacity: capacity))
    }
}

/// The connection's state machine, run one short turn at a time on the client's own thread:
/// connect when due, hand queued messages to libmosquitto, then `mosquitto_loop` for network I/O.
///
/// Why `mosquitto_loop` on our thread rather than `mosquitto_loop_start`'s thread: the handle then
/// has one owner (no locking inside libmosquitto, callbacks on a known thread), reconnection uses
/// zmface's `Backoff` (logged and counted like the database outages) instead of libmosquitto's own
/// retry, and messages reach libmosquitto only while connected and only `maxInFlight` at a time, so
/// its internal queue (unbounded) never holds what the bounded outbox should.
final class ClientLoop {
    private enum Phase {
        case waiting(until: ContinuousClock.Instant)
        case connecting(since: ContinuousClock.Instant)
        case connected
    }

    private let settings: MQTTClientSettings
    private let shared: SharedClientState
    private let logger: Logger
    private let session: MosquittoSession
    private var phase: Phase = .waiting(until: .now)
    private var backoff = Backoff()
    private var failuresSinceConnected = 0
    private var inFlight: Set<Int32> = []
    private var reported: (queued: Int, connected: Bool) = (-1, false)

    init(_ settings: MQTTClientSettings, shared: SharedClientState, logger: Logger) throws(MQTTError) {
        self.settings = settings
        self.shared = shared
        self.logger = logger
        self.session = try MosquittoSession(settings)
    }

    private var isConnected: Bool {
        if case .connected = phase { return true }
        return false
    }

    /// One turn: returns within about 100 ms.
    func turn() {
        switch phase {
        case .waiting(let until):
            let now = ContinuousClock.now
            if now < until {
                Thread.sleep(forTimeInterval: min(0.1, (until - now).seconds))
            } else {
                connect()
            }
        case .connecting(let since):
            if ContinuousClock.now - since > .seconds(30) {
                session.disconnect()
                fail("no CONNACK from the broker within 30 s")
            } else {
                exchange()
            }
        case .connected:
            handOver()
            exchange()
        }
        report()
    }

    /// On stop: when connected (or connecting), publishes what is queued and `offline` (a clean
    /// disconnect sends no last will), waiting up to `drainSeconds`; whatever is left is counted as
    /// dropped.
    func shutdown() {
        let deadline = ContinuousClock.now + .milliseconds(Int(settings.drainSeconds * 1000))
        // A connection being made gets its chance: `ingest --once` may finish before the CONNACK.
        while case .connecting = phase, ContinuousClock.now < deadline { exchange() }
        if isConnected {
            _ = shared.outbox.withLock {
                $0.push(MQTTMessage(topic: settings.availabilityTopic, text: "offline", retain: true))
            }
            while isConnected, ContinuousClock.now < deadline {
                handOver()
                exchange()
                // QoS 0 has no acknowledgement: done when libmosquitto has written everything.
                if inFlight.isEmpty, shared.outbox.withLock({ $0.count }) == 0, !session.wantsWrite { break }
            }
            session.disconnect()
            repeat {
                _ = session.loop(timeoutMilliseconds: 10)
            } while session.wantsWrite && ContinuousClock.now < deadline
        }
        let left = shared.outbox.withLock { $0.removeAll() }
        if left > 0 {
            shared.statistics.withLock { $0.dropped += left }
            Telemetry.mqttDropped(left)
            logger.warning(
                "MQTT messages not delivered before stopping",
                metadata: ["messages": "\(left)", "broker": "\(settings.broker)"])
        }
        shared.statistics.withLock {
            $0.queued = 0
            $0.connected = false
        }
        Telemetry.mqttSampled(queued: 0, connected: false)
    }

    private func connect() {
        let code = session.connect(settings.broker, keepAlive: settings.keepAliveSeconds)
        if code == MosquittoSession.success {
            phase = .connecting(since: .now)
        } else {
            fail("cannot connect: \(MosquittoSession.describe(code))")
        }
    }

    /// Network I/O, then what the callbacks reported.
    private func exchange() {
        let code = session.loop(timeoutMilliseconds: 50)
        for event in session.takeEvents() { handle(event) }
        if code != MosquittoSession.success, !isWaiting {
            fail("connection lost: \(MosquittoSession.describe(code))")
        }
    }

    private var isWaiting: Bool {
        if case .waiting = phase { return true }
        return false
    }

    private func handle(_ event: MosquittoSession.Event) {
        switch event {
        case .connected(code: 0):
            phase = .connected
            let metadata: Logger.Metadata = ["broker": "\(settings.broker)", "clientId": "\(settings.clientID)"]
            if failuresSinceConnected > 0 {
                logger.info(
                    "MQTT broker reachable again; sending the outbox",
                    metadata: metadata.merging(["queued": "\(shared.outbox.withLock { $0.count })"]) { $1 })
            } else {
                logger.info("connected to the MQTT broker", metadata: metadata)
            }
            backoff = Backoff()
            failuresSinceConnected = 0
            // State first: the broker may have restarted without its retained messages.
            shared.outbox.withLock { $0.requeueRetained() }
            if let trigger = settings.resendTrigger { _ = session.subscribe(trigger.topic, qos: settings.qos) }
        case .connected(let code):
            session.disconnect()
            fail(
                "the broker refused the connection: \(MosquittoSession.describeRefusal(code)) "
                    + "(check mqtt.username, mqtt.password/passwordFile and mqtt.clientId)",
                level: .error)
        case .disconnected(let code):
            if isConnected || code != 0 {
                if !isWaiting { fail("connection lost: \(MosquittoSession.describe(code))") }
            }
        case .acknowledged(let messageID):
            if inFlight.remove(messageID) != nil { shared.statistics.withLock { $0.acknowledged += 1 } }
        case .message(let topic, let payload):
            if let trigger = settings.resendTrigger, topic == trigger.topic, payload == Array(trigger.payload.utf8) {
                logger.info("publishing retained state again", metadata: ["requestedBy": "\(topic)"])
                shared.outbox.withLock { $0.requeueRetained() }
            }
        }
    }

    /// Hands queued messages to libmosquitto while fewer than `maxInFlight` await the broker's ack.
    private func handOver() {
        while inFlight.count < settings.maxInFlight, let message = shared.outbox.withLock({ $0.pop() }) {
            let (code, messageID) = session.publish(message, qos: settings.qos)
            if code == MosquittoSession.success {
                if settings.qos > 0 { inFlight.insert(messageID) }
                shared.statistics.withLock { $0.sent += 1 }
                Telemetry.mqttPublished()
            } else if MosquittoSession.isConnectionError(code) {
                shared.outbox.withLock { $0.pushFront(message) }
                fail("publishing failed: \(MosquittoSession.describe(code))")
                return
            } else {
                shared.statistics.withLock { $0.dropped += 1 }
                Telemetry.mqttDropped()
                logger.error(
                    "MQTT message refused by libmosquitto; dropped",
                    metadata: ["topic": "\(message.topic)", "error": "\(MosquittoSession.describe(code))"])
            }
        }
    }

    /// The connection is gone or could not be made: wait (0.5 s doubling to 30 s), then try again.
    /// Messages keep queueing meanwhile; libmosquitto re-sends the unacknowledged ones itself.
    private func fail(_ reason: String, level: Logger.Level = .warning) {
        let detail = session.takeLibraryError().map { "\(reason) (\($0))" } ?? reason
        failuresSinceConnected += 1
        inFlight.removeAll()
        let delay = backoff.nextDelay()
        phase = .waiting(until: .now + delay)
        shared.statistics.withLock {
            $0.connectionFailures += 1
            $0.connected = false
        }
        Telemetry.mqttConnectionFailed()
        logger.log(
            level: level, "MQTT broker unavailable; messages wait in the outbox",
            metadata: [
                "broker": "\(settings.broker)", "error": "\(detail)", "retryIn": "\(delay)",
                "queued": "\(shared.outbox.withLock { $0.count })",
            ])
    }

    /// Copies the outbox depth and connection state into the totals and gauges when they change.
    private func report() {
        let now = (queued: shared.outbox.withLock { $0.count }, connected: isConnected)
        guard now != reported else { return }
        reported = now
        shared.statistics.withLock {
            $0.queued = now.queued
            $0.connected = now.connected
        }
        Telemetry.mqttSampled(queued: now.queued, connected: now.connected)
    }
}
