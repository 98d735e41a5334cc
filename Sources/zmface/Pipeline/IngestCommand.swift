import ArgumentParser
import Foundation
import Ingest
import Logging
import ServiceLifecycle
import Sink
import Workers

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Consume ZoneMinder events into PostgreSQL (and the PUB socket), without zerorpc.",
        discussion: """
            Reads the zoneminder, frames, postgres and publish sections of worker.json (its \
            zoneminder.enabled flag is for `serve`; this command always ingests). Every event's results \
            are committed with the ingest cursor in one transaction, so a restart at any moment neither \
            loses nor repeats a frame. SIGTERM finishes the event in hand, commits and exits 0.

            Examples:
              zmface ingest --config worker.json
              zmface ingest --once            # handle every finished event, then exit (cron, tests)
            """
    )

    @OptionGroup var options: PipelineOptions

    @Flag(help: "Handle the events that are ready now, then exit.")
    var once = false

    func run() async throws {
        RecognitionStack.bootstrapLogging(options.logLevel)
        let logger = Logger(label: "zmface")
        let settings = try CommandError.reportingFailure { try options.settings() }
        try await ServerRuntime.run(
            settings, ingesting: true, web: !once,
            configurationPath: ServerConfiguration.path(explicit: options.config),
            logger: logger
        ) { runtime in
            if once {
                try await runtime.ingestion.migrate(logger: logger)
                let count = try await runtime.ingestion.ingestor.run(once: true)
                logger.info("ingestion pass done", metadata: ["events": "\(count)"])
                return
            }
            let group = ServiceGroup(configuration: .init(services: runtime.services, logger: logger))
            let router = SignalRouter.start(group: group, reloadRequests: nil, logger: logger)
            defer { router.cancel() }
            try await group.run()
        }
    }
}

struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Re-process past ZoneMinder events, replacing their stored results.",
        discussion: """
            Handles closed events that started in [--since, --until), at backfill priority (zerorpc calls \
            and live events go first). Re-running replaces rows, never duplicates them, and records the \
            model version used. The live cursor is not moved.

            Times are local (as ZoneMinder stores them): 2026-11-29, "2026-11-29 08:30", \
            2026-11-29T08:30:00, or an age: 90m, 6h, 2d.

            Examples:
              zmface backfill --since 2d
              zmface backfill --since 2026-11-01 --until 2026-11-08 --monitor 3
            """
    )

    @OptionGroup var options: PipelineOptions

    @Option(help: "Start of the range (local time or an age such as 6h).")
    var since: String

    @Option(help: "End of the range (default: now).")
    var until: String?

    @Option(help: "Only this monitor.")
    var monitor: Int?

    func run() async throws {
        RecognitionStack.bootstrapLogging(options.logLevel)
        let logger = Logger(label: "zmface")
        let settings: ServerConfiguration
        let range: (Date, Date)
        do {
            settings = try options.settings()
            range = (
                try TimeArgument.parse(since, name: "--since"),
                try until.map { try TimeArgument.parse($0, name: "--until") } ?? Date()
            )
            guard range.0 < range.1 else { throw CommandError.message("--since must be before --until") }
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
        try await ServerRuntime.run(settings, ingesting: true, mqtt: false, logger: logger) { runtime in
            let pipeline = runtime.ingestion
            try await pipeline.migrate(logger: logger)
            let started = Date()
            let count = try await pipeline.ingestor.backfill(since: range.0, until: range.1, monitor: monitor) {
                done, total, event in
                let elapsed = Date().timeIntervalSince(started)
                let eta = Double(total - done) * elapsed / Double(done)
                FileHandle.standardError.write(
                    Data(
                        String(
                            format: "backfill: %d/%d events (%.0f%%), event %lld, %.1f s elapsed, ETA %.0f s\n", done,
                            total, 100 * Double(done) / Double(total), event.id, elapsed, eta
                        ).utf8))
            }
            logger.info("backfill done", metadata: ["events": "\(count)"])
        }
    }
}

/// Local times and ages on the command line.
enum TimeArgument {
    static func parse(_ text: String, name: String, now: Date = Date()) throws -> Date {
        if let unit = text.last, let amount = Double(text.dropLast()), amount >= 0 {
            let seconds: Double? =
                switch unit {
                case "s": amount
                case "m": amount * 60
                case "h": amount * 3600
                case "d": amount * 86400
                default: nil
                }
            if let seconds { return now.addingTimeInterval(-seconds) }
        }
        for format in [
            "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd",
        ] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = .current
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        throw CommandError.message("\(name) \"\(text)\": expected a local time like 2026-11-29 08:30 or an age like 6h")
    }
}
