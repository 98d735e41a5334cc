import ArgumentParser
import Foundation
import Sink
import ZMFaceCore
import ZeroMQ

/// Rows/s into PostgreSQL through the real commit path (batched vs row by row) and messages/s
/// through the real PUB socket to a subscriber.
struct SinkBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "PostgreSQL rows/s (batched vs row by row) and PUB messages/s.",
        discussion:
            "Example: swift run -c release zmface-bench sink --database postgresql://zmface:zmface@127.0.0.1:55432/bench"
    )

    @Option(help: "PostgreSQL URL of a scratch database (its zmface tables are written).")
    var database: String

    @Option(help: "Events per run.")
    var events: Int = 40

    @Option(help: "Frames per event.")
    var frames: Int = 10

    @Option(help: "Faces per frame.")
    var faces: Int = 5

    func run() async throws {
        let sample = (0..<events).map { makeResults(eventID: Int64(1_000_000 + $0)) }
        let rows = sample.reduce(0) { $0 + $1.faceCount + $1.frames.count }
        print("| PostgreSQL commit | events | rows (detections + frames) | rows/s |\n|---|---:|---:|---:|")
        for (run, (label, batch)) in [("row by row", 1), ("multi-row INSERT (400 rows)", 400)].enumerated() {
            let store = ResultStore(conninfo: database, rowsPerStatement: batch)
            try await store.migrate()
            // Fresh event ids per run: a re-run would also pay for deleting the previous rows.
            let batchSample = sample.map { results -> EventResults in
                var copy = results
                copy.event.id += Int64(run + 1) * 10_000_000 + Int64(Date().timeIntervalSince1970) % 1_000_000 * 100
                return copy
            }
            let start = Date()
            for results in batchSample { try await store.commit(results, source: "bench") }
            let seconds = Date().timeIntervalSince(start)
            print("| \(label) | \(events) | \(rows) | \(String(format: "%.0f", Double(rows) / seconds)) |")
            store.close()
        }

        let publisher = try await ResultPublisher.start(
            endpoints: ["tcp://127.0.0.1:*"], highWaterMark: 1_000_000, serverID: "bench")
        let endpoint = try await publisher.boundEndpoint()
        let expected = sample.reduce(0) { $0 + $1.faceCount + 1 }
        let received = Task.detached { () -> (Int, Double) in
            let context = try ZMQContext()
            let socket = try ZMQSocket(context: context, type: .sub)
            try socket.subscribe([])
            try socket.setReceiveTimeout(milliseconds: 2000)
            try socket.connect(endpoint)
            var count = 0
            var first: Date?
            while count < expected, try socket.receive(blocking: true) != nil {
                if first == nil { first = Date() }
                count += 1
            }
            socket.close()
            return (count, Date().timeIntervalSince(first ?? Date()))
        }
        try await Task.sleep(for: .milliseconds(500))  // the subscription must reach the PUB socket first
        let start = Date()
        for results in sample { await publisher.announce(results) }
        let sendSeconds = Date().timeIntervalSince(start)
        let (count, _) = try await received.value
        publisher.stop()
        print("\n| PUB | messages | messages/s (sent) | received by one SUB |\n|---|---:|---:|---:|")
        print(
            "| face + event topics | \(expected) | \(String(format: "%.0f", Double(expected) / sendSeconds)) | \(count) |"
        )
    }

    private func makeResults(eventID: Int64) -> EventResults {
        var generator = SystemRandomNumberGenerator()
        let frameResults = (1...frames).map { frameID in
            FrameResult(
                frameID: frameID, time: Date(), score: 255,
                faces: (0..<faces).map { index in
                    FaceResult(
                        index: index, box: FaceBox(top: 10, right: 90, bottom: 90, left: 10), confidence: 1, focus: 250,
                        encoding: FaceEncoding((0..<128).map { _ in Float.random(in: -0.3...0.3, using: &generator) }),
                        name: index == 0 ? "obama" : nil, probability: 0.9, distance: 0.4, margin: 0.3,
                        status: index == 0 ? .recognized : .unknown, cluster: index == 0 ? nil : "unknown-\(index)")
                })
        }
        return EventResults(
            event: EventInfo(
                id: eventID, monitorID: 1, monitorName: "bench", cause: "bench", start: Date(), end: Date(),
                frameCount: frames),
            outcome: .processed, frames: frameResults, modelVersion: "bench", lowWatermark: nil)
    }
}
