import ArgumentParser
import Foundation
import Recognition
import Workers
import ZMFaceCore

struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect, encode and (with --classifier) name every face in images; one JSON line per image.",
        discussion: """
            Each line holds the path, the image size, every face (box as top/right/bottom/left in \
            image pixels, detector confidence, focus measure, 128-D encoding, status, and with a \
            classifier the name, probability, distance and margin) and the time each stage took in \
            milliseconds. It runs the same pipeline as detect_faces and ingestion, so the same image \
            and settings give the same answer; the size, pose and focus gates are open unless set. An image \
            that cannot be read gets a one-line error on stderr; the other images are still processed \
            and the exit code is 1.

            Examples:
              zmface detect photo.jpg --detector hog --upsample 1
              zmface detect frame.jpg --classifier face-model.json --min-face 20 --focus-threshold 200
            """
    )

    @Argument(help: "JPEG or PNG files.")
    var images: [String]

    @OptionGroup var recognition: RecognitionOptions

    @Option(help: "Classifier model file from zmface train: name the faces as serve would.")
    var classifier: String?

    @Option(help: "Minimum face height and width in pixels; smaller faces are reported as too_small (0: off).")
    var minFace: Int = 0

    @Option(help: "Minimum focus measure; blurrier faces are reported as blurry (0: off).")
    var focusThreshold: Double = 0

    @Option(help: "Largest head turn in eye distances; more turned faces are reported as side_face (default: off).")
    var maxYaw: Double?

    func validate() throws {
        guard minFace >= 0 else { throw ValidationError("--min-face must not be negative") }
        if let maxYaw, !(maxYaw >= 0 && maxYaw.isFinite) {
            throw ValidationError("--max-yaw must be a number of at least 0")
        }
        guard focusThreshold >= 0, focusThreshold.isFinite else {
            throw ValidationError("--focus-threshold must be a number of at least 0")
        }
    }

    func run() throws {
        let models = try recognition.loadModels()
        var settings = recognition.ungated
        settings.minFace = minFace
        settings.focusThreshold = focusThreshold
        if let maxYaw { settings.maxYaw = maxYaw }
        let identifier: FaceClassifier?
        do {
            identifier = try classifier.map {
                FaceClassifier(model: try FaceClassifierModel.load(from: URL(fileURLWithPath: $0)))
            }
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
        let recognizer = FaceRecognizer(settings: settings, identifier: identifier)
        let decoder = recognition.decoder
        var failures = 0
        for path in images {
            do {
                let (image, decodeSeconds) = try Telemetry.Stage.decode.measure { try decoder.decode(fileAtPath: path) }
                let report = try recognizer.recognize(image, models: models)
                try JSONLines.write(
                    DetectionReport(
                        path: path, width: image.width, height: image.height, report: report,
                        decodeSeconds: decodeSeconds, classified: identifier != nil))
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
        /// Null when the face was too small to measure.
        let focus: Double?
        /// How far the head is turned, in eye distances (null when too small).
        let yaw: Double?
        /// Null when a gate stopped the face before encoding.
        let encoding: FaceEncoding?
        let status: FaceStatus
        /// Present only with a classifier: the person's name, or null.
        let name: String??
        let probability: Double?
        let distance: Double?
        let margin: Double?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(top, forKey: .top)
            try container.encode(right, forKey: .right)
            try container.encode(bottom, forKey: .bottom)
            try container.encode(left, forKey: .left)
            try container.encode(confidence, forKey: .confidence)
            try container.encode(focus, forKey: .focus)
            try container.encode(yaw, forKey: .yaw)
            try container.encode(encoding, forKey: .encoding)
            try container.encode(status, forKey: .status)
            if let name {
                try container.encode(name, forKey: .name)
                try container.encode(probability, forKey: .probability)
                try container.encode(distance, forKey: .distance)
                try container.encode(margin, forKey: .margin)
            }
        }

        enum CodingKeys: String, CodingKey {
            case top, right, bottom, left, confidence, focus, yaw, encoding, status, name, probability, distance, margin
        }
    }

    struct TimingsMs: Encodable {
        let decode: Double
        let detect: Double
        let focus: Double
        let encode: Double
        /// Present only with a classifier.
        let classify: Double?
    }

    let path: String
    let width: Int
    let height: Int
    let faces: [Face]
    let timingsMs: TimingsMs

    init(path: String, width: Int, height: Int, report: RegionReport, decodeSeconds: Double, classified: Bool) {
        self.path = path
        self.width = width
        self.height = height
        self.faces = report.faces.map { face in
            let identity = face.identification
            return Face(
                top: face.box.top, right: face.box.right, bottom: face.box.bottom, left: face.box.left,
                confidence: face.confidence, focus: face.focus, yaw: face.yaw, encoding: face.encoding,
                status: face.status,
                name: classified ? .some(face.name) : .none, probability: identity?.probability,
                distance: identity?.distance, margin: identity?.margin)
        }
        let t = report.timings
        self.timingsMs = TimingsMs(
            decode: decodeSeconds * 1000, detect: t.detect * 1000, focus: t.focus * 1000, encode: t.encode * 1000,
            classify: classified ? t.classify * 1000 : nil)
    }
}
