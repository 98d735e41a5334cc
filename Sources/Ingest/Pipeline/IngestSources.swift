public import Foundation
import ZMFaceCore

/// The ZoneMinder database as ingestion reads it (`ZoneMinderCatalog`, libmariadb on its own
/// thread). Throws `MariaDBError.unavailable` while the database cannot be reached: ingestion then
/// pauses and retries, skipping nothing.
public protocol EventCatalog: Sendable {
    /// Events with `Id >= from`, in Id order, open ones included.
    func events(from: Int64, limit: Int) async throws -> [ZoneMinderEvent]
    /// Closed events that started in `since..<until`, in Id order.
    func closedEvents(since: Date, until: Date, monitor: Int?) async throws -> [ZoneMinderEvent]
    /// Nil once the event's row is deleted.
    func event(id: Int64) async throws -> ZoneMinderEvent?
    func frames(ofEvent id: Int64) async throws -> [ZoneMinderFrame]
    func newestEventID() async throws -> Int64?
}

/// An event's folder as ingestion reads it (`EventFrameReader`: capture JPEGs, else the video).
public protocol EventFrameSource: Sendable {
    /// The wanted frames decoded one at a time, each with its image or why it could not be read,
    /// delivered as they are ready (in any order). The source takes a slot of `window` before each
    /// frame, so at most its size are alive at once; the stream fails with `EventFolderMissing`
    /// when the event's folder is gone.
    func frames(of event: ZoneMinderEvent, wanted: [Int], rows: [ZoneMinderFrame], window: FrameWindow)
        -> AsyncThrowingStream<DecodedFrame, any Error>
    /// Newest modification time in the folder (nil when it is gone).
    func lastChange(ofDirectory directory: String) -> Date?
    /// The highest N of its `NNNNN-capture.jpg` files (0 when there are none).
    func captureCount(inDirectory directory: String) -> Int
}
