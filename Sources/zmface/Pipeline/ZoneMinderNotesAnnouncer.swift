import Ingest
import Logging
import Sink
import ZMFaceCore

/// `zoneminder.notes`: after each commit, the event's decision goes into its ZoneMinder Notes.
/// While ZoneMinder's database is down the write waits like the rest of ingestion (which reads the
/// same database, so it is paused anyway); a refused login or statement (an account without the
/// grant) is logged and counted, and ingestion goes on: the results are safe in PostgreSQL, and a
/// backfill writes the notes again once the account is fixed.
struct ZoneMinderNotesAnnouncer: ResultAnnouncer {
    let writer: ZoneMinderNotesWriter
    let database: String
    let logger: Logger
    let stop: StopSignal

    func announce(_ results: EventResults) async {
        let (note, id, writer) = (ZoneMinderNote(results), results.event.id, writer)
        let retrying = OutageRetry(
            service: "ZoneMinder database", effect: "ingestion paused until event \(id)'s Notes are written",
            logger: logger, stop: stop,
            isOutage: { ($0 as? MariaDBError).map { $0.isUnavailable && !$0.isLoginRefused } ?? false },
            onFailure: Telemetry.zoneMinderDatabaseFailed)
        do {
            try await retrying("writing event \(id)'s Notes") { try await writer.write(note, eventID: id) }
            Telemetry.zoneMinderNotesWritten(true)
        } catch {
            Telemetry.zoneMinderNotesWritten(false)
            logger.error(
                "ZoneMinder Notes not written",
                metadata: [
                    "event": "\(id)", "note": "\(note.text ?? "(none)")", "error": "\(error)",
                    "hint": "the account needs GRANT SELECT (Id, Notes), UPDATE (Notes) ON \(database).Events",
                ])
        }
    }
}
