import ArgumentParser
import Foundation
import Workers
import ZMFaceCore

struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect and encode every face in images; one JSON line per image.",
        discussion: """
            Each line holds the path, the image size, every face (box as top/right/bottom/left in \
            image pixels, detector confidence, focus measure, 128-D encoding) and the time each \
            stage took in milliseconds. An image that cannot be read gets a one-line error on \
            stderr; the other images are still processed and the exit code is 1.

            Example:
              zmface detect photo.jpg --detector hog --upsample 1
            """
    )

    @Argument(help: "JPEG or PNG files.")
    var images: [String]

    @OptionGroup var recognition: RecognitionOptions

    func run() throws {
        let analyzer = FaceAnalyzer(models: try recognition.loadModels())
        let decoder = recognition.decoder
        var failures = 0
        for path in images {
            do {
                let clock = ContinuousClock()
                let start = clock.now
                let image = try decoder.decode(fileAtPath: path)
                let decodeSeconds = (clock.now - start).seconds
                let analysis = try analyzer.analyze(image, options: recognition.analysis)
                try JSONLines.write(DetectionReport(path: path, analysis: analysis, decodeSeconds: decodeSeconds))
            } catch {
                failures += 1
                CommandError.report(error)
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}

/// The JSON shape `zmface detect` prints for one image.
struct DetectionReport: Encodable {
    struct Face: Encodable {
        let top: Int
        let right: Int
        let bottom: Int
        let left: Int
        let confidence: Double
        let focus: Double
        let encoding: FaceEncoding
    }

    struct TimingsMs: Encodable {
        let decode: Double
        let detect: Double
        let focus: Double
        let encode: Double
    }

    let path: String
    let width: Int
    let height: Int
    let faces: [Face]
    let timingsMs: TimingsMs

    init(path: String, analysis: FrameAnalysis, decodeSeconds: Double) {
        self.path = path
        self.width = analysis.width
        self.height = analysis.height
        self.faces = analysis.faces.map {
            Face(
                top: $0.box.top, right: $0.box.right, bottom: $0.box.bottom, left: $0.box.left,
                confidence: $0.confidence, focus: $0.focus, encoding: $0.encoding)
        }
        let t = analysis.timings
        self.timingsMs = TimingsMs(
            decode: decodeSeconds * 1000, detect: t.detect * 1000, focus: t.focus * 1000, encode: t.encode * 1000)
    }
}
