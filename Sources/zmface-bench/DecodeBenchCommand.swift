import ArgumentParser
import Foundation
import Ingest
import Workers

/// Frame decoding throughput of the ingest path: capture JPEGs (libjpeg) and event videos
/// (libavcodec, read from the start and converted to RGB only for wanted frames).
struct DecodeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Frames/s for capture JPEGs and event MP4s at 640x480 and 1280x720.",
        discussion: "Example: swift run -c release zmface-bench decode --frames 300"
    )

    @Option(help: "Frames per clip (10 fps, like a ZoneMinder monitor).")
    var frames: Int = 300

    @Option(help: "Sizes to measure.")
    var size: [String] = ["640x480", "1280x720"]

    struct Row: Encodable {
        let size: String
        let source: String
        let framesDecoded: Int
        let framesPerSecond: Double
    }

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zmface-decode-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rows: [Row] = []
        for size in size {
            let clip = dir.appendingPathComponent("\(size).mp4").path
            let jpegs = dir.appendingPathComponent(size)
            try FileManager.default.createDirectory(at: jpegs, withIntermediateDirectories: true)
            try ffmpeg([
                "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=10", "-frames:v", "\(frames)", "-c:v", "libx264",
                "-pix_fmt", "yuv420p", "-g", "10", "-movflags", "frag_keyframe+empty_moov", clip,
            ])
            try ffmpeg(["-i", clip, "-q:v", "5", jpegs.appendingPathComponent("%05d-capture.jpg").path])
            let decoder = ImageDecoder()
            var start = Date()
            for n in 1...frames {
                _ = try decoder.decode(
                    fileAtPath: jpegs.appendingPathComponent(String(format: "%05d-capture.jpg", n)).path)
            }
            rows.append(
                Row(
                    size: size, source: "JPEG files", framesDecoded: frames,
                    framesPerSecond: Double(frames) / Date().timeIntervalSince(start)))
            start = Date()
            let all = try VideoFrameDecoder.frames(Set(1...frames), ofVideoAt: clip)
            rows.append(
                Row(
                    size: size, source: "MP4, every frame", framesDecoded: all.count,
                    framesPerSecond: Double(all.count) / Date().timeIntervalSince(start)))
            let wanted = Set(stride(from: 10, through: frames, by: 10))
            start = Date()
            let some = try VideoFrameDecoder.frames(wanted, ofVideoAt: clip)
            rows.append(
                Row(
                    size: size, source: "MP4, every 10th frame", framesDecoded: some.count,
                    framesPerSecond: Double(some.count) / Date().timeIntervalSince(start)))
        }
        print("| size | source | frames | frames/s |\n|---|---|---:|---:|")
        for row in rows {
            print(
                "| \(row.size) | \(row.source) | \(row.framesDecoded) | \(String(format: "%.0f", row.framesPerSecond)) |"
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(rows), as: UTF8.self))
    }

    private func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-hide_banner", "-loglevel", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("ffmpeg \(arguments) failed") }
    }
}
