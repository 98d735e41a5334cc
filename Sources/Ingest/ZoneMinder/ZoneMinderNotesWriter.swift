import ZMFaceCore

/// Writes zmface's part of events' `Notes` into ZoneMinder's database over its own connection and
/// thread, so the account can differ from the catalog's read-only one. The account needs only
/// `GRANT SELECT (Id, Notes), UPDATE (Notes) ON zm.Events` (the README shows the statement).
public final class ZoneMinderNotesWriter: Sendable {
    private let connection: ReconnectingConnection<MariaDBConnection>

    public init(settings: ZoneMinderDatabaseSettings) {
        connection = ReconnectingConnection(
            name: "zoneminder-notes", connect: { try MariaDBConnection(settings) },
            isConnectionLost: { ($0 as? MariaDBError)?.isUnavailable == true })
    }

    /// Replaces zmface's part of the event's Notes with `note` (removes it when the note is empty).
    /// An event ZoneMinder has deleted meanwhile is not an error: nothing is updated.
    public func write(_ note: ZoneMinderNote, eventID: Int64) async throws {
        _ = try await connection.withConnection { connection in
            try connection.query(note.updateStatement(eventID: eventID, quote: connection.quoted))
        }
    }

    public func close() {
        connection.close()
    }
}
