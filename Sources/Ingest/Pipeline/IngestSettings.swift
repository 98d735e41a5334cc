import Foundation

/// How ingestion finds and reads events (worker.json `zoneminder` and `frames`).
public struct IngestSettings: Sendable, Equatable {
    public enum StartPoint: String, Sendable {
        /// On the very first start, handle every event already in ZoneMinder.
        case beginning
        /// On the very first start, skip events that already exist (use `zmface backfill` for them).
        case now
    }

    /// Seconds between polls of the Events table.
    public var pollSeconds: Double
    /// Seconds after `EndDateTime` before an event is read: zmc flushes its last Frames rows
    /// asynchronously, after setting EndDateTime.
    public var settleSeconds: Double
    /// An open event with a newer event on its monitor and no file change for this long was left by
    /// a crashed zmc; it is handled as finished.
    public var abandonSeconds: Double
    public var startAt: StartPoint
    public var selection: FrameSelectionPolicy
    /// Frames of one event in recognition at once (about the number of workers).
    public var concurrency: Int
    /// Where in a frame to look for faces: ZoneMinder's alarm box (widened) when it recorded one.
    public var region: ScanRegionPolicy = .alarm(margin: 0.1)
    /// Window slots of one event: the frames in recognition and two decoded ahead (one more may be
    /// decoded and waiting for a slot).
    public var frameWindow: Int { concurrency + 2 }
    /// This instance's name in PostgreSQL's event claims: instances sharing one database need
    /// distinct names; a restarted instance under the same name takes its unfinished events back at
    /// once instead of waiting for their leases.
    public var instance: String
    /// How long a claim holds an event without renewal: a killed instance's events are taken over
    /// after at most this long.
    public var leaseSeconds: Double
    /// How long one event's claim is renewed at most: a process stuck on an event (a decoder that
    /// never returns) would otherwise hold it forever. Past this, the lease runs out and another
    /// instance takes the event over; the stuck process can then no longer commit it.
    public var maxClaimSeconds: Double

    public init(
        pollSeconds: Double = 2, settleSeconds: Double = 2, abandonSeconds: Double = 60,
        startAt: StartPoint = .beginning, selection: FrameSelectionPolicy = FrameSelectionPolicy(),
        concurrency: Int = 2,
        instance: String? = nil, leaseSeconds: Double = 60, maxClaimSeconds: Double = 1800
    ) {
        self.instance = instance ?? ProcessInfo.processInfo.hostName
        self.leaseSeconds = leaseSeconds
        self.maxClaimSeconds = maxClaimSeconds
        self.pollSeconds = pollSeconds
        self.settleSeconds = settleSeconds
        self.abandonSeconds = abandonSeconds
        self.startAt = startAt
        self.selection = selection
        self.concurrency = max(1, concurrency)
    }
}
