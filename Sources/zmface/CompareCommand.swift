import ArgumentParser
import Foundation
import Recognition
import Workers
import ZMFaceCore

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Print the descriptor distance between the largest faces of two images.",
        discussion: """
            Prints one JSON line: both boxes, the distance, and whether it is under the usual \
            same-person threshold (0.6). Exits 1 when either image has no face.

            Example:
              zmface compare a.jpg b.jpg
            """
    )

    @Argument(help: "First image.") var first: String
    @Argument(help: "Second image.") var second: String
    @Option(help: "Distance under which the two faces count as the same person.")
    var threshold: Double = 0.6

    @OptionGroup var recognition: RecognitionOptions

    struct Report: Encodable {
        struct Side: Encodable {
            let path: String
            let face: FaceBox
        }
        let first: Side
        let second: Side
        let distance: Double
        let threshold: Double
        let samePerson: Bool
    }

    func run() throws {
        let models = try recognition.loadModels()
        let decoder = recognition.decoder
        do {
            let a = try largestFace(in: first, models: models, decoder: decoder)
            let b = try largestFace(in: second, models: models, decoder: decoder)
            let distance = a.encoding.distance(to: b.encoding)
            try JSONLines.write(
                Report(
                    first: .init(path: first, face: a.box), second: .init(path: second, face: b.box),
                    distance: distance, threshold: threshold, samePerson: distance < threshold))
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }

    private func largestFace(
        in path: String, models: FaceModelSet, decoder: ImageDecoder
    ) throws -> (box: FaceBox, encoding: FaceEncoding) {
        let image = try decoder.decode(fileAtPath: path)
        let recognizer = FaceRecognizer(settings: recognition.ungated, identifier: nil)
        guard let face = try recognizer.recognizeLargestFace(image, models: models).face, let encoding = face.encoding
        else {
            throw CommandError.message("\(path): no face found")
        }
        return (face.box, encoding)
    }
}
