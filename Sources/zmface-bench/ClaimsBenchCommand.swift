import ArgumentParser
import Foundation
import Sink
import ZMFaceCore

/// How far PostgreSQL as the coordinator of several instances scales: claims and claim-ending
/// commits per second when N instances compete for the same events, each through its own
/// connection, as `zmface ingest` does (claim, then commit an event without faces).
struct ClaimsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "Event claims/s with N instances competing for the same events (PostgreSQL coordination).",
        discussion:
            "Example: swift run -c release zmface-bench claims --database postgresql://zmface:zmface@127.0.0.1:55432/bench"
    )

    @Option(help: "PostgreSQL URL of a scratch database (its zmface tables are written).")
    var database: String

    @Option(help: "Events to share out.")
    var events: Int = 2000

    @Option(help: "Competing instances, one connection each (comma-separated list of counts).")
    var instances: String = "1,3,8"

    func run() async throws {
        print("| instances | events | claim attempts | claims/s (attempts) | events committed/s | double claims |")
        print("|---:|---:|---:|---:|---:|---:|")
        let setup = ResultStore(conninfo: database)
        try await setup.migrate()
        setup.close()
        for (round, count) in instances.split(separator: ",").compactMap({ Int($0) }).enumerated() {
            // Fresh ids per round so no round finds another's claims.
            let base = Int64(Date().timeIntervalSince1970) * 1_000_000 + Int64(round) * 100_000
            let ids = (0..<Int64(events)).map { base + $0 }
            let stores = (0..<count).map { _ in ResultStore(conninfo: database) }
            defer { stores.forEach { $0.close() } }
            let start = Date()
            let tallies = try await withThrowingTaskGroup(of: (attempts: Int, won: Int).self) { group in
                for (index, store) in stores.enumerated() {
                    group.addTask {
                        var (attempts, won) = (0, 0)
                        for id in ids {
                            attempts += 1
                            guard
                                try await store.claim(id, owner: "bench-\(index)", leaseSeconds: 60, for: .live)
                                    == .claimed
                            else { continue }
                            won += 1
                            try await store.commit(
                                EventResults(
                                    event: EventInfo(
                                        id: id, monitorID: 1, monitorName: "bench", cause: "bench", start: Date(),
                                        end: Date(), frameCount: 0),
                                    outcome: .processed, frames: [], modelVersion: "bench", lowWatermark: nil),
                                source: "bench", owner: "bench-\(index)")
                        }
                        return (attempts, won)
                    }
                }
                return try await group.reduce(into: (attempts: 0, won: 0)) {
                    $0.attempts += $1.attempts
                    $0.won += $1.won
                }
            }
            let seconds = Date().timeIntervalSince(start)
            print(
                "| \(count) | \(events) | \(tallies.attempts) | "
                    + String(format: "%.0f | %.0f", Double(tallies.attempts) / seconds, Double(tallies.won) / seconds)
                    + " | \(tallies.won - events) |")
        }
    }
}
