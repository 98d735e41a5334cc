import ArgumentParser
import Foundation
import Sink
import ZMFaceCore

struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Recompute the open clusters of unknown faces from all their faces and the waiting ones.",
        discussion: """
            Runs the clustering rule of the background pass (faces.cluster: distance, minFaces) from \
            scratch over the faces of open clusters and the faces still waiting, in time order. Named \
            and ignored clusters keep their faces, labelled faces are not moved, and a cluster keeps its \
            id when its faces are the same or mostly the same. Waits for a running pass; prints a summary.

            Examples:
              zmface cluster --config /etc/zmface/worker.json
              zmface cluster --database postgresql:///zmface --distance 0.45
            """
    )

    @Option(help: "worker.json (default: ./worker.json if present).")
    var config: String?

    @Option(help: "PostgreSQL URL (overrides postgres.url and ZMFACE_DATABASE_URL).")
    var database: String?

    @Option(help: "Override faces.cluster.distance.")
    var distance: Double?

    @Option(help: "Override faces.cluster.minFaces.")
    var minFaces: Int?

    func run() async throws {
        do {
            let (settings, url) = try PipelineOptions.databaseSettings(config: config, database: database)
            var rule = settings.faces.cluster
            if let distance {
                guard (0.05...2).contains(distance) else { throw CommandError.message("--distance must be 0.05-2") }
                rule.distance = distance
            }
            if let minFaces {
                guard (1...1000).contains(minFaces) else { throw CommandError.message("--min-faces must be 1-1000") }
                rule.minFaces = minFaces
            }
            let store = FaceClusterStore(conninfo: url)
            defer { store.close() }
            try await store.migrate()
            let started = ContinuousClock.now
            let report = try await store.recompute(rule)
            let seconds = (ContinuousClock.now - started).seconds
            print(
                """
                clustered \(report.faces) unknown faces (distance \(rule.distance), minFaces \(rule.minFaces)) in \
                \(String(format: "%.2f", seconds)) s: open clusters \(report.openBefore) -> \(report.openAfter) \
                (\(report.keptIDs) kept their id), \(report.joinedFixed) joined named or ignored clusters, \
                \(report.waiting) waiting
                """)
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }
}
