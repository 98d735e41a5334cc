import ArgumentParser
import Foundation
import Recognition
import Synchronization
import Workers
import ZMFaceCore

/// Frames per second through the recognition pool: every frame is detected (HOG) and every face
/// encoded, as the server does for a person box, with frames decoded up front so only recognition is
/// timed. Efficiency = time spent inside recognition jobs / (wall time × workers).
struct PoolBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool",
        abstract: "Frames/s, efficiency and peak RSS of the recognition pool at one worker count; prints a JSON line.",
        discussion: "Example: zmface-bench pool frames/*.jpg --workers 2 --repeat 5"
    )

    @Argument(help: "Frames (JPEG/PNG).") var frames: [String]
    @Option(help: "Recognition workers.") var workers: Int = 2
    @Option(help: "How many times each frame is submitted.") var `repeat`: Int = 5
    @Option(help: "Detector upsampling.") var upsample: Int = 1
    @Option(help: "Directory holding the dlib model files.") var models: String?

    struct Report: Encodable {
        let workers: Int
        let frames: Int
        let faces: Int
        let wallSeconds: Double
        let framesPerSecond: Double
        let busySeconds: Double
        let efficiency: Double
        let peakRSSMiB: Double
    }

    func run() async throws {
        let decoder = ImageDecoder()
        let images = try frames.map { try decoder.decode(fileAtPath: $0) }
        let pool = try await RecognitionPool(
            workers: workers, modelFiles: ModelFiles.locate(explicit: models),
            queueCapacity: images.count * `repeat` + 1)
        let busy = Tally()
        let work = (0..<(images.count * `repeat`)).map { images[$0 % images.count] }
        let upsample = upsample
        // One warm-up frame per worker: first calls grow dlib's buffers.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for image in work.prefix(workers) {
                group.addTask {
                    _ = try await pool.run(waitingAtMost: .seconds(600)) { try Self.recognize(image, $0, upsample) }
                }
            }
            try await group.waitForAll()
        }
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for image in work {
                group.addTask {
                    let (faces, seconds) = try await pool.run(waitingAtMost: .seconds(600)) { models in
                        let jobStart = clock.now
                        let faces = try Self.recognize(image, models, upsample)
                        return (faces, (clock.now - jobStart).seconds)
                    }
                    busy.add(seconds: seconds, faces: faces)
                }
            }
            try await group.waitForAll()
        }
        let wall = (clock.now - start).seconds
        await pool.shutdown()
        let (busySeconds, faces) = busy.totals
        let report = Report(
            workers: workers, frames: work.count, faces: faces, wallSeconds: wall,
            framesPerSecond: Double(work.count) / wall,
            busySeconds: busySeconds, efficiency: busySeconds / (wall * Double(workers)), peakRSSMiB: Self.peakRSS())
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    private static func recognize(_ image: RGBImage, _ models: FaceModelSet, _ upsample: Int) throws -> Int {
        let faces = try models.detectFaces(in: image, detector: .hog, upsample: upsample)
        for face in faces { _ = try models.encodeFace(in: image, box: face.box, jitters: 1) }
        return faces.count
    }

    private static func peakRSS() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }
}

/// Time spent inside jobs and faces found, added from the worker threads.
private final class Tally: Sendable {
    private let state = Mutex<(seconds: Double, faces: Int)>((0, 0))

    func add(seconds: Double, faces: Int) {
        state.withLock {
            $0.seconds += seconds
            $0.faces += faces
        }
    }

    var totals: (seconds: Double, faces: Int) { state.withLock { $0 } }
}
