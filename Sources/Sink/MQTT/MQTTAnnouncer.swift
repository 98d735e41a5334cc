import Foundation
public import MQTT
public import ZMFaceCore

/// Results to MQTT after the commit, like the PUB socket (see `MQTTAnnouncements` for what is
/// published). Turning results into messages is all it does: queueing, connecting and sending are
/// the `MQTTClient`'s, which never makes it wait.
public actor MQTTAnnouncer: ResultAnnouncer {
    private let client: MQTTClient
    private let now: @Sendable () -> Date
    private var announcements: MQTTAnnouncements

    public init(client: MQTTClient, settings: MQTTPublishingSettings) {
        self.init(client: client, settings: settings, now: { Date() })
    }

    /// `now` is the clock presence is measured by (tests give their own).
    init(client: MQTTClient, settings: MQTTPublishingSettings, now: @escaping @Sendable () -> Date) {
        self.client = client
        self.now = now
        self.announcements = MQTTAnnouncements(settings: settings)
    }

    public func announce(_ results: EventResults) async {
        client.publish(announcements.messages(for: results, now: now()))
    }

    /// The names the classifier knows, at start and after every reload (see
    /// `MQTTAnnouncements.modelKnows`).
    public func modelKnows(_ names: [String]) {
        client.publish(announcements.modelKnows(names))
    }

    /// The cameras ZoneMinder lists, monitor id to name (see `MQTTAnnouncements.camerasKnown`).
    public func camerasKnown(_ monitors: [Int: String]) {
        client.publish(announcements.camerasKnown(monitors))
    }

    /// Turns presence off when its timeout runs out; runs until cancelled.
    public func runPresenceTimer() async {
        while !Task.isCancelled {
            let wait = announcements.nextExpiry.map { min(max($0.timeIntervalSince(now()), 0.05), 1) } ?? 1
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            client.publish(announcements.expirePresence(now: now()))
        }
    }
}
