import ArgumentParser
import Foundation
import Workers
import ZMFaceCore

/// Micro-benchmarks of the recognition stages on one frame. Not a test: figures go to the README,
/// side by side with the Python original measured in the same run (Benchmarks/recognition.sh).
@main
struct BenchRoot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zmface-bench",
        abstract: "Benchmarks of the recognition core (not tests; figures go to the README).",
        subcommands: [
            BenchCommand.self, PoolBenchCommand.self, DecodeBenchCommand.self, SinkBenchCommand.self,
            ClaimsBenchCommand.self, ClusterBenchCommand.self,
        ],
        defaultSubcommand: BenchCommand.self
    )
}

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages",
        abstract: "Time decode, HOG, CNN, focus and encoding on one frame; prints a table and a JSON line.",
        discussion: "Example: swift run -c release zmface-bench stages frame-640x480.jpg --iterations 20"
    )

    @Argument(help: "A JPEG or PNG frame with at least one face.")
    var frame: String

    @Option(help: "Timed repetitions per stage (after one warm-up).")
    var iterations: Int = 15

    @Option(help: "Timed repetitions of the CNN detector (slow; 0 leaves it out).")
    var cnnIterations: Int = 3

    @Option(help: "Directory holding the dlib model files.")
    var models: String?

    struct Stage: Encodable {
        let name: String
        let medianMs: Double
        let minMs: Double
        let maxMs: Double
        let runs: Int
    }

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard cnnIterations >= 0 else { throw ValidationError("--cnn-iterations must not be negative") }
    }

    func run() throws {
        NativeRuntime.setBLASThreads(1)
        let clock = ContinuousClock()
        let loadStart = clock.now
        let set = try FaceModelSet(files: ModelFiles.locate(explicit: models))
        let loadMs = (clock.now - loadStart).seconds * 1000
        let data = try Data(contentsOf: URL(fileURLWithPath: frame))
        let decoder = ImageDecoder()
        let image = try decoder.decode(data, name: frame)
        let faces = try set.detectFaces(in: image, detector: .hog, upsample: 1)
        guard let face = faces.first else { throw ValidationError("\(frame): no face found by HOG (upsample 1)") }

        func time(_ name: String, runs: Int, _ body: () throws -> Void) rethrows -> Stage {
            try body()  // warm-up: first calls grow dlib's buffers
            var samples: [Double] = []
            for _ in 0..<runs {
                let start = clock.now
                try body()
                samples.append((clock.now - start).seconds * 1000)
            }
            samples.sort()
            return Stage(
                name: name, medianMs: samples[samples.count / 2], minMs: samples[0], maxMs: samples[samples.count - 1],
                runs: runs)
        }

        var stages: [Stage] = []
        stages.append(try time("decode", runs: iterations) { _ = try decoder.decode(data, name: frame) })
        stages.append(
            try time("hog_upsample0", runs: iterations) {
                _ = try set.detectFaces(in: image, detector: .hog, upsample: 0)
            })
        stages.append(
            try time("hog_upsample1", runs: iterations) {
                _ = try set.detectFaces(in: image, detector: .hog, upsample: 1)
            })
        stages.append(
            time("focus", runs: iterations) { _ = FocusMeasure.varianceOfLaplacian(image, in: face.box) })
        stages.append(
            try time("encode_jitter1", runs: iterations) {
                _ = try set.encodeFace(in: image, box: face.box, jitters: 1)
            })
        if cnnIterations > 0 {
            stages.append(
                try time("cnn_upsample0", runs: cnnIterations) {
                    _ = try set.detectFaces(in: image, detector: .cnn, upsample: 0)
                })
        }

        print("frame \(frame): \(image.width)x\(image.height), \(faces.count) face(s); model load \(Int(loadMs)) ms")
        print("BLAS: \(NativeRuntime.blasDescription)")
        print("stage".padding(toLength: 16, withPad: " ", startingAt: 0) + "  median ms     min ms     max ms  runs")
        for stage in stages {
            print(
                stage.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: "  %9.2f  %9.2f  %9.2f  %4d", stage.medianMs, stage.minMs, stage.maxMs, stage.runs)
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(stages), as: UTF8.self))
    }
}
