import Foundation

/// `faces.retention`: how long face crops are kept. Faces with a user label (a person's name or
/// "stranger") are training data and never expire.
public struct CropRetentionPolicy: Sendable, Equatable {
    /// Crops of faces the model did not name, older than this many days, are deleted.
    public var unknownDays = 7.0
    /// Crops of faces the model named, older than this many days, are deleted.
    public var namedDays = 30.0
    /// Beyond this many crops (labelled ones counted), the oldest unlabelled ones are deleted.
    public var maxCrops = 100_000

    public init() {}
}

/// Applies `CropRetentionPolicy`: sets `detections.crop` to NULL for the expired faces (committed
/// first, so no row ever names a file this removed), then deletes their files through
/// `FaceCropFiles` (a file already gone is fine). In rounds of `batch` faces.
public final class CropRetention: Sendable {
    private let client: PostgresClient
    private let files: FaceCropFiles
    private let batch: Int

    public init(conninfo: String, files: FaceCropFiles, batch: Int = 5000) {
        client = PostgresClient(conninfo: conninfo, name: "postgres-retention")
        self.files = files
        self.batch = batch
    }

    public func close() { client.close() }

    /// Brings the schema up to date (the services may start before ingestion has migrated it).
    public func migrate() async throws {
        _ = try await client.withConnection { try SchemaMigrations.apply(on: $0) }
    }

    /// One retention run; returns the crops expired.
    public func run(_ policy: CropRetentionPolicy) async throws -> Int {
        var total = 0
        while true {
            let batch = batch
            let expired = try await client.withConnection { connection in
                try connection.execute(
                    """
                    WITH expired AS (
                        SELECT event_id, frame_id, face_index, crop FROM detections
                        WHERE crop IS NOT NULL AND label_kind IS NULL AND (
                            (name IS NULL AND time < now() - $1::float8 * interval '1 day')
                            OR (name IS NOT NULL AND time < now() - $2::float8 * interval '1 day'))
                        UNION
                        SELECT event_id, frame_id, face_index, crop FROM (
                            SELECT event_id, frame_id, face_index, crop, label_kind, row_number() OVER (
                                ORDER BY time DESC, event_id DESC, frame_id DESC, face_index DESC) AS newest
                            FROM detections WHERE crop IS NOT NULL) ranked
                        WHERE newest > $3 AND label_kind IS NULL
                        LIMIT $4)
                    UPDATE detections d SET crop = NULL FROM expired x
                    WHERE d.event_id = x.event_id AND d.frame_id = x.frame_id AND d.face_index = x.face_index
                        AND d.crop = x.crop AND d.label_kind IS NULL
                    RETURNING x.crop
                    """,
                    [
                        String(policy.unknownDays), String(policy.namedDays), String(policy.maxCrops), String(batch),
                    ]
                ).column(String.self)
            }
            files.remove(expired)
            total += expired.count
            if expired.count < batch { return total }
        }
    }
}
