public import Foundation

/// Several instances share one ZoneMinder through PostgreSQL: before working on an event an
/// instance claims it for a lease, renews the lease while it works, and commits its results and the
/// end of the claim in one transaction. A killed instance's leases run out and another takes its
/// events over.
public enum EventClaim: Sendable, Equatable {
    /// This instance holds the event now: work on it.
    case claimed
    /// Its results are already committed (live ingestion), or were committed since this backfill
    /// began: nothing to do.
    case handled
    /// Another instance holds a lease on it: try again later.
    case busy
}

/// What a claim is for.
public enum ClaimPurpose: Sendable, Equatable {
    /// Live ingestion: an event with results is done.
    case live
    /// A backfill begun at this time re-processes events committed before it, once.
    case backfill(startedAt: Date)
}

/// The commit found that this instance's claim had been taken over (its lease ran out while it
/// worked): nothing was written, and the instance that holds the claim now commits the event.
public struct EventClaimLost: Error, Sendable, CustomStringConvertible {
    public let eventID: Int64
    public let owner: String?

    public init(eventID: Int64, owner: String?) {
        self.eventID = eventID
        self.owner = owner
    }

    public var description: String {
        "event \(eventID) was taken over by \(owner ?? "another instance") while this one worked on it"
    }
}
