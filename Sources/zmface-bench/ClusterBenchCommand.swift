import ArgumentParser
import Foundation
import Sink
import Training
import ZMFaceCore

/// Clustering time for many unknown faces, and how pure the clusters are. The faces are
/// synthetic around real encodings: each synthetic person's centre is a real face encoding
/// (`zmface detect` JSON lines) moved by `--person-spread`, each face its centre plus
/// `--face-spread` of noise (defaults from the measured same-person distances); a share of the
/// faces are lone strangers. With `--database`, the same faces are committed as detections of a
/// scratch database and `FaceClusterStore.recompute` (what `zmface cluster` runs) and an
/// incremental pass of 100 new faces are timed there too.
struct ClusterBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Clustering time and purity for N unknown faces (synthetic around real encodings).",
        discussion: """
            Example: .build/release/zmface detect photos/*/* > real.jsonl
                     swift run -c release zmface-bench cluster --encodings real.jsonl --faces 100000
            """
    )

    @Option(help: "`zmface detect` JSON lines whose face encodings seed the synthetic people.")
    var encodings: String

    @Option(help: "Unknown faces to cluster.")
    var faces = 10_000

    @Option(help: "Faces per synthetic person on average.")
    var facesPerPerson = 50

    @Option(help: "Share of faces that are lone strangers (seen once).")
    var loners = 0.2

    @Option(help: "Distance of a synthetic person's centre from its real seed encoding.")
    var personSpread: Float = 0.45

    @Option(help: "Distance of a face from its person's centre.")
    var faceSpread: Float = 0.22

    @Option(help: "faces.cluster.distance")
    var distance = 0.5

    @Option(help: "faces.cluster.minFaces")
    var minFaces = 3

    @Option(help: "PostgreSQL URL of a scratch database: also time recompute and a pass there.")
    var database: String?

    func run() async throws {
        let seeds = try readEncodings()
        var rng = SeededGenerator(seed: 2026)
        let people = max(1, Int(Double(faces) * (1 - loners)) / facesPerPerson)
        let centres = (0..<people).map { person in
            add(seeds[person % seeds.count], direction(&rng, length: personSpread))
        }
        var points: [(person: Int, encoding: [Float])] = []
        for index in 0..<faces {
            if Double(rng.unit()) < loners {
                let seed = seeds[Int(rng.next() % UInt64(seeds.count))]
                points.append((-1 - index, add(seed, direction(&rng, length: personSpread))))
            } else {
                let person = Int(rng.next() % UInt64(people))
                points.append((person, add(centres[person], direction(&rng, length: faceSpread))))
            }
        }
        let settings = FaceClusterSettings(distance: distance, minFaces: minFaces)
        let started = ContinuousClock.now
        var clusterer = FaceClusterer<Int>(settings: settings, clusters: [])
        for (index, point) in points.enumerated() { clusterer.place(index, encoding: point.encoding) }
        let seconds = (ContinuousClock.now - started).seconds
        var members: [Int: [Int]] = [:]
        for (face, cluster) in clusterer.assignments { members[cluster, default: []].append(points[face].person) }
        let impure = members.values.filter { Set($0).count > 1 }.count
        let clusteredPeople = Set(members.values.compactMap { Set($0).count == 1 ? $0[0] : nil })
        print(
            """
            faces \(faces) (\(people) synthetic people from \(seeds.count) real encodings, \(Int(loners * 100)) % loners), \
            distance \(distance), minFaces \(minFaces)
            in memory: \(String(format: "%.2f", seconds)) s; clusters \(clusterer.clusters.count) (impure \(impure)), \
            people with a cluster \(clusteredPeople.count) of \(people), faces clustered \(clusterer.assignments.count), \
            waiting \(clusterer.waitingFaces.count)
            """)
        if let database { try await timeDatabase(database, points: points.map(\.encoding), settings: settings) }
    }

    private func timeDatabase(_ url: String, points: [[Float]], settings: FaceClusterSettings) async throws {
        let store = ResultStore(conninfo: url)
        defer { store.close() }
        try await store.migrate()
        let base = Int64(Date().timeIntervalSince1970) * 1000
        let perEvent = 100
        let loaded = ContinuousClock.now
        // All but the last 100 faces first (recompute), then those as new faces (one pass).
        let split = max(0, points.count - 100)
        for (part, range) in [0..<split, split..<points.count].enumerated() {
            for start in stride(from: range.lowerBound, to: range.upperBound, by: perEvent) {
                let chunk = points[start..<min(start + perEvent, range.upperBound)]
                let frames = chunk.enumerated().map { offset, encoding in
                    FrameResult(
                        frameID: offset + 1, time: Date(timeIntervalSince1970: 1e9 + Double(start + offset)), score: 1,
                        faces: [
                            FaceResult(
                                index: 0, box: FaceBox(top: 0, right: 10, bottom: 10, left: 0), confidence: 1,
                                focus: 300, encoding: FaceEncoding(encoding), name: nil, probability: nil,
                                distance: nil, margin: nil, status: .unknown)
                        ])
                }
                try await store.commit(
                    EventResults(
                        event: EventInfo(
                            id: base + Int64(start / perEvent), monitorID: 1, monitorName: "bench", cause: "bench",
                            start: Date(), end: Date(), frameCount: frames.count), outcome: .processed, frames: frames,
                        modelVersion: "bench", lowWatermark: nil), source: "bench")
            }
            let clusters = FaceClusterStore(conninfo: url)
            defer { clusters.close() }
            if part == 0 {
                print(
                    "database: \(split) faces committed in \(String(format: "%.1f", (ContinuousClock.now - loaded).seconds)) s"
                )
                var started = ContinuousClock.now
                let report = try await clusters.recompute(settings)
                print(
                    "database: recompute (zmface cluster) \(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s: \(report)"
                )
                started = ContinuousClock.now
                let again = try await clusters.recompute(settings)
                print(
                    "database: recompute again \(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s, kept ids \(again.keptIDs) of \(again.openAfter)"
                )
            } else {
                var started = ContinuousClock.now
                let (first, waiting) = try await clusters.pass(settings, waiting: [:])!
                print(
                    "database: first pass after a start (every waiting face read) \(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s: \(first)"
                )
                started = ContinuousClock.now
                let (second, _) = try await clusters.pass(settings, waiting: waiting)!
                print(
                    "database: a pass with nothing new \(String(format: "%.3f", (ContinuousClock.now - started).seconds)) s: \(second)"
                )
            }
        }
    }

    private func readEncodings() throws -> [[Float]] {
        struct Line: Decodable {
            struct Face: Decodable { let encoding: [Float]? }
            let faces: [Face]
        }
        let text = try String(contentsOfFile: encodings, encoding: .utf8)
        let seeds = text.split(separator: "\n").flatMap { line in
            ((try? JSONDecoder().decode(Line.self, from: Data(line.utf8)))?.faces ?? []).compactMap(\.encoding)
        }.filter { $0.count == FaceEncoding.dimensions }
        guard !seeds.isEmpty else { throw ValidationError("no face encodings in \(encodings)") }
        return seeds
    }

    private func add(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map { $0 + $1 } }

    private func direction(_ rng: inout SeededGenerator, length: Float) -> [Float] {
        let raw = (0..<FaceEncoding.dimensions).map { _ in rng.unit() - 0.5 }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 * length / norm }
    }

}

extension SeededGenerator {
    /// Uniform in [0, 1), from the top 24 bits.
    fileprivate mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
