import ArgumentParser
import Foundation
import Sink

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage zmface's PostgreSQL schema.",
        subcommands: [MigrateCommand.self]
    )

    struct MigrateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Apply pending schema migrations (serve and ingest also do this at start).",
            discussion: """
                Examples:
                  zmface db migrate --database postgresql://zmface@localhost/zmface
                  ZMFACE_DATABASE_URL=postgresql:///zmface zmface db migrate
                """
        )

        @Option(help: "worker.json (default: ./worker.json if present).")
        var config: String?

        @Option(help: "PostgreSQL URL (overrides postgres.url and ZMFACE_DATABASE_URL).")
        var database: String?

        func run() async throws {
            do {
                let (_, url) = try PipelineOptions.databaseSettings(config: config, database: database)
                let store = ResultStore(conninfo: url)
                defer { store.close() }
                let applied = try await store.migrate()
                print(
                    applied.isEmpty
                        ? "schema is up to date (version \(ResultStore.schemaVersion))"
                        : "applied migrations \(applied.map(String.init).joined(separator: ", ")); schema version \(ResultStore.schemaVersion)"
                )
            } catch {
                CommandError.report(error)
                throw ExitCode.failure
            }
        }
    }
}
