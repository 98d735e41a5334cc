import ArgumentParser
import Foundation
import Logging

/// Options shared by the commands that run the ingestion pipeline.
struct PipelineOptions: ParsableArguments {
    @Option(help: "worker.json (default: ./worker.json if present).")
    var config: String?

    @Option(help: "Recognition workers (overrides the configuration).")
    var workers: Int?

    @Option(help: "Directory holding the dlib model files (overrides the configuration).")
    var models: String?

    @Option(help: "Classifier model file (overrides the configuration).")
    var classifier: String?

    @Option(help: "PostgreSQL URL for results (overrides postgres.url and ZMFACE_DATABASE_URL).")
    var database: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if let workers, !(1...64).contains(workers) { throw ValidationError("--workers must be between 1 and 64") }
    }

    func settings() throws -> ServerConfiguration {
        var settings =
            try ServerConfiguration.path(explicit: config).map { try ServerConfiguration.load(path: $0) }
            ?? ServerConfiguration()
        if let workers { settings.workers = workers }
        if let models { settings.models = models }
        if let classifier { settings.classifierModel = classifier }
        if let database { settings.postgresURLOverride = database }
        return settings
    }

    /// For the commands that only talk to PostgreSQL (`db migrate`, `cluster`): the settings of
    /// `config` with `database` over them, and the PostgreSQL URL they resolve to.
    static func databaseSettings(config: String?, database: String?) throws -> (ServerConfiguration, url: String) {
        var options = try PipelineOptions.parse(config.map { ["--config", $0] } ?? [])
        options.database = database
        let settings = try options.settings()
        guard let url = settings.resolvedPostgresURL(), !url.isEmpty else {
            throw CommandError.message("no database: pass --database, set ZMFACE_DATABASE_URL or postgres.url")
        }
        return (settings, url)
    }
}
