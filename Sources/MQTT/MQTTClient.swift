import Foundation
public import Logging
import ZMFaceCore

/// An MQTT client on libmosquitto that never makes its callers wait: `publish` queues into a
/// bounded outbox and returns; the client's own thread connects, reconnects with backoff, and
/// sends. The libmosquitto handle never leaves that thread (see `ClientLoop`).
public final class MQTTClient: Sendable {
    public let settings: MQTTClientSettings
    private let thread: DedicatedThread<ClientLoop?>
    private let shared: SharedClientState
    private let logger: Logger

    private init(settings: MQTTClientSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.shared = SharedClientState(capacity: settings.outboxCapacity)
        self.thread = DedicatedThread(name: "mqtt") { nil }
    }

    /// Makes the handle (a CA file that cannot be read fails here) and starts connecting; does not
    /// wait for the broker, which may be down.
    public static func start(_ settings: MQTTClientSettings, logger: Logger) async throws -> MQTTClient {
        let client = MQTTClient(settings: settings, logger: logger)
        let shared = client.shared
        do {
            try await client.thread.perform { loop in
                loop = try ClientLoop(settings, shared: shared, logger: logger)
            }
        } catch {
            client.thread.stop()
            throw error
        }
        client.publish([MQTTMessage(topic: settings.availabilityTopic, text: "online", retain: true)])
        Self.scheduleTurn(on: client.thread, shared: shared)
        return client
    }

    /// Each turn queues the next, so calls from `perform` (statistics, stop) fit in between.
    private static func scheduleTurn(on thread: DedicatedThread<ClientLoop?>, shared: SharedClientState) {
        thread.submit { [weak thread] loop in
            guard let thread, let active = loop, !shared.stopping.withLock({ $0 }) else { return }
            active.turn()
            scheduleTurn(on: thread, shared: shared)
        }
    }

    /// Queues messages in order; never blocks. When the outbox is full the oldest plain message is
    /// dropped and counted (`zmface_mqtt_dropped_total`).
    public func publish(_ messages: [MQTTMessage]) {
        let dropped = shared.outbox.withLock { outbox in messages.reduce(0) { $0 + outbox.push($1) } }
        if dropped > 0 {
            shared.statistics.withLock { $0.dropped += dropped }
            Telemetry.mqttDropped(dropped)
        }
    }

    public var statistics: MQTTStatistics {
        var statistics = shared.statistics.withLock { $0 }
        statistics.queued = shared.outbox.withLock { $0.count }
        return statistics
    }

    /// Sends what is queued and `offline` when connected (up to `drainSeconds`), disconnects and ends
    /// the thread. Waits for that at most `drainSeconds` + 2 s: a thread blocked in libmosquitto's
    /// connect (a broker whose SYNs go unanswered) is left behind instead of holding up the stop,
    /// and the process's exit waits for it only briefly (`EndingThreads`).
    public func stop() async {
        let first = shared.stopping.withLock { stopping in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        let (thread, finished) = (thread, StopSignal())
        Task {
            _ = try? await thread.perform { loop in
                loop?.shutdown()
                loop = nil
            }
            finished.request()
        }
        let limit = Duration.milliseconds(Int(settings.drainSeconds * 1000)) + .seconds(2)
        if (try? await finished.sleep(for: limit)) == true {
            logger.warning(
                "MQTT thread still busy connecting to the broker; stopping without it",
                metadata: ["broker": "\(settings.broker)"])
        }
        thread.stop()
    }
}
