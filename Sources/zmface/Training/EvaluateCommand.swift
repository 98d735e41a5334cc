import ArgumentParser
import Foundation
import Training
import Workers

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a model on labelled encodings: accuracy, per-class scores, confusion, open-set rule.",
        discussion: """
            Encodings whose label is not a class of the model count as strangers, so a folder of \
            people the model never saw measures how often strangers get a name.

            Example:
              zmface evaluate faces.model test-encodings.json --svg confusion.svg
            """
    )

    @Argument(help: "Model file from `zmface train`.") var model: String
    @Argument(help: "Encodings file from `zmface encode`.") var encodings: String
    @Option(help: "Also write the confusion matrix as SVG here.") var svg: String?
    @Flag(help: "Print the evaluation as JSON instead of text.") var json = false

    func run() throws {
        do {
            let classifier = FaceClassifier(model: try FaceClassifierModel.load(from: URL(fileURLWithPath: model)))
            let data = try EncodingSet.load(from: URL(fileURLWithPath: encodings)).labelled
            let evaluation = try ClassifierEvaluation.evaluate(classifier, on: data)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(evaluation), as: UTF8.self))
            } else {
                print(evaluation.text)
            }
            if let svg { try evaluation.svg.write(toFile: svg, atomically: true, encoding: .utf8) }
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }
}
