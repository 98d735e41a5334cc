import Foundation
import Ingest
import ZeroMQ
import ZeroRPC

/// worker.json's `zoneminder` section: where events come from.
struct ZoneMinderSourceConfiguration: Equatable {
    /// Off by default: `zmface serve` is then the zerorpc drop-in only.
    var enabled = false
    /// ZoneMinder's zm.conf; when set, ZM_DB_* come from it (and its conf.d) instead of db* below.
    var zmConf: String?
    var database = ZoneMinderDatabaseSettings()
    /// Folder for events whose StorageId has no Storage row (ZoneMinder's ZM_DIR_EVENTS).
    var eventsPath = "/var/cache/zoneminder/events"
    /// Only these monitors (nil: all).
    var monitors: [Int]?
    /// `zoneminder.notes`: each event's decision written into its Notes (off by default).
    var notes = ZoneMinderNotesConfiguration()

    /// The database settings to use, from zm.conf when configured; ZMFACE_ZM_DB_PASS wins for the
    /// password so it need not sit in a file.
    func resolvedDatabase(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ZoneMinderDatabaseSettings
    {
        var settings = database
        if let zmConf {
            do {
                settings = try ZoneMinderDatabaseSettings.fromZMConf(zmConf)
            } catch {
                throw ConfigurationError.invalid("zoneminder.zmConf", "\(error)")
            }
        }
        if let password = environment["ZMFACE_ZM_DB_PASS"] { settings.password = password }
        return settings
    }

    /// The account the Notes write-back logs in with: the reading account's server and database,
    /// with `notes.dbUser`/`notes.dbPassword` (or ZMFACE_ZM_NOTES_PASS) when given.
    func resolvedNotesDatabase(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ZoneMinderDatabaseSettings
    {
        var settings = try resolvedDatabase(environment: environment)
        if let user = notes.user {
            settings.user = user
            settings.password = notes.password
        }
        if let password = environment["ZMFACE_ZM_NOTES_PASS"] { settings.password = password }
        return settings
    }
}

/// worker.json's `zoneminder.notes`: after each commit, the event's decision goes into ZoneMinder's
/// `Events.Notes` (`[zmface: Alice, 1 unknown]`), where ZoneMinder's event list and filters see it.
struct ZoneMinderNotesConfiguration: Equatable {
    var enabled = false
    /// An account that may update only `Events.Notes` (nil: the reading account).
    var user: String?
    var password: String?
}

/// worker.json's `publish` section: the ZeroMQ PUB socket.
struct PublishConfiguration: Equatable {
    var endpoints: [String] = []
    var highWaterMark = 10_000
    var statusSeconds = 5.0
    /// Names this server in every message (default: the host name).
    var serverID: String?
}

extension ServerConfiguration {
    /// The PostgreSQL connection: `--database`, else ZMFACE_DATABASE_URL when set, else `postgres.url`.
    func resolvedPostgresURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        postgresURLOverride ?? environment["ZMFACE_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? postgresURL
    }

    /// The PostgreSQL URL for a part that cannot run without one (ZoneMinder ingestion, the faces page).
    func requiredPostgresURL(for user: String = "ZoneMinder ingestion") throws(ConfigurationError) -> String {
        guard let url = resolvedPostgresURL() else {
            throw .invalid("postgres.url", "is required for \(user) (or set ZMFACE_DATABASE_URL)")
        }
        return url
    }

    mutating func readPipelineSections(_ root: inout JSONFields) throws(ConfigurationError) {
        if var zoneminder = try root.object("zoneminder") {
            var source = ZoneMinderSourceConfiguration()
            source.enabled = try zoneminder.bool("enabled", default: false)
            source.zmConf = try zoneminder.string("zmConf")
            let host = try zoneminder.string("dbHost") ?? "localhost"
            do {
                source.database = try ZoneMinderDatabaseSettings(
                    zmDBHost: host, database: try zoneminder.string("dbName") ?? "zm",
                    user: try zoneminder.string("dbUser") ?? "zmuser", password: try zoneminder.string("dbPassword"))
            } catch let error as ZoneMinderConfigError {
                throw .invalid("zoneminder.dbHost", "\(error)")
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw .invalid("zoneminder", "\(error)")
            }
            source.eventsPath = try zoneminder.string("eventsPath") ?? source.eventsPath
            source.monitors = try zoneminder.ints("monitors", in: 1...Int(Int32.max))
            if var notes = try zoneminder.object("notes") {
                source.notes.enabled = try notes.bool("enabled", default: false)
                source.notes.user = try notes.string("dbUser")
                source.notes.password = try notes.string("dbPassword")
                try notes.rejectUnknownFields()
            }
            ingest.pollSeconds = try zoneminder.double("pollSeconds", default: ingest.pollSeconds, in: 0.05...3600)
            ingest.settleSeconds = try zoneminder.double("settleSeconds", default: ingest.settleSeconds, in: 0...3600)
            ingest.abandonSeconds = try zoneminder.double(
                "abandonSeconds", default: ingest.abandonSeconds, in: 1...(30 * 86400))
            ingest.instance = try zoneminder.string("instance") ?? ingest.instance
            guard !ingest.instance.isEmpty else { throw .invalid("zoneminder.instance", "must not be empty") }
            ingest.leaseSeconds = try zoneminder.double("leaseSeconds", default: ingest.leaseSeconds, in: 3...3600)
            ingest.maxClaimSeconds = try zoneminder.double(
                "maxClaimSeconds", default: ingest.maxClaimSeconds, in: ingest.leaseSeconds...604_800)
            if let start = try zoneminder.string("startAt") {
                guard let point = IngestSettings.StartPoint(rawValue: start) else {
                    throw .invalid("zoneminder.startAt", "must be \"beginning\" or \"now\", not \"\(start)\"")
                }
                ingest.startAt = point
            }
            try zoneminder.rejectUnknownFields()
            self.zoneminder = source
        }
        if var frames = try root.object("frames") {
            if let select = try frames.string("select") {
                guard let candidates = FrameSelectionPolicy.Candidates(rawValue: select) else {
                    throw .invalid("frames.select", "must be \"alarm\" or \"all\", not \"\(select)\"")
                }
                ingest.selection.candidates = candidates
            }
            ingest.selection.every = try frames.int("every", default: ingest.selection.every, in: 1...100_000)
            ingest.selection.maxPerEvent = try frames.int(
                "maxPerEvent", default: ingest.selection.maxPerEvent, in: 0...1_000_000)
            if let order = try frames.string("order") {
                guard let value = FrameSelectionPolicy.Order(rawValue: order) else {
                    throw .invalid("frames.order", "must be \"score\" or \"time\", not \"\(order)\"")
                }
                ingest.selection.order = value
            }
            let margin = try frames.double("regionMargin", default: 0.1, in: 0...10)
            switch try frames.string("region") ?? "alarm" {
            case "alarm": ingest.region = .alarm(margin: margin)
            case "full": ingest.region = .full
            case let other: throw .invalid("frames.region", "must be \"alarm\" or \"full\", not \"\(other)\"")
            }
            try frames.rejectUnknownFields()
        }
        if var postgres = try root.object("postgres") {
            postgresURL = try postgres.string("url")
            try postgres.rejectUnknownFields()
        }
        if var ipc = try root.object("ipc") {
            if let mode = try ipc.string("mode") {
                guard let value = UInt16(mode, radix: 8), value <= 0o777 else {
                    throw .invalid("ipc.mode", "must be an octal mode such as \"0660\", not \"\(mode)\"")
                }
                security.ipcPermissions.mode = mode_t(value)
            }
            security.ipcPermissions.group = try ipc.string("group")
            try ipc.rejectUnknownFields()
        }
        if var publish = try root.object("publish") {
            self.publish.endpoints = try publish.strings("endpoints") ?? []
            self.publish.highWaterMark = try publish.int("highWaterMark", default: 10_000, in: 1...10_000_000)
            self.publish.statusSeconds = try publish.double("statusSeconds", default: 5, in: 0...86400)
            self.publish.serverID = try publish.string("serverId")
            try publish.rejectUnknownFields()
        }
    }

    /// Checks the pipeline settings that depend on each other.
    func validatePipeline() throws(ConfigurationError) {
        for (index, endpoint) in publish.endpoints.enumerated() {
            do {
                try EndpointPolicy.checkExposure(endpoint, allowRemote: security.allowRemote)
            } catch {
                throw .invalid("publish.endpoints[\(index)]", "\(error)")
            }
        }
    }
}
