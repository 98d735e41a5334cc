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

            With --folds K the model's classifier (same kind and hyper-parameters) is instead refitted \
            by K-fold cross-validation over all the encodings, each person is left out in turn to \
            play the stranger, and the model's open-set rule is judged on those held-out faces: the \
            figures `zmface train` prints, for any encodings (e.g. after adding photos).

            Examples:
              zmface evaluate faces.model test-encodings.json --svg confusion.svg
              zmface evaluate faces.model all-encodings.json --folds 5
            """
    )

    @Argument(help: "Model file from `zmface train`.") var model: String
    @Argument(help: "Encodings file from `zmface encode`.") var encodings: String
    @Option(help: "Also write the confusion matrix as SVG here.") var svg: String?
    @Flag(help: "Print the evaluation as JSON instead of text.") var json = false
    @Option(help: "Cross-validate the model's classifier over the encodings with this many folds.") var folds: Int?

    func validate() throws {
        if let folds, !(2...20).contains(folds) { throw ValidationError("--folds must be between 2 and 20") }
    }

    func run() throws {
        do {
            let classifier = FaceClassifier(model: try FaceClassifierModel.load(from: URL(fileURLWithPath: model)))
            let set = try EncodingSet.load(from: URL(fileURLWithPath: encodings))
            let data = set.labelled
            if let folds {
                try ClassifierTraining.check(data)
                guard let candidate = Candidate(of: classifier.model) else {
                    throw CommandError.message("\(model): the classifier's parameters are missing")
                }
                var options = TrainingOptions(kind: classifier.model.kind, encoder: set.encoder)
                options.folds = folds
                options.openSet = classifier.model.openSet
                let result = try OpenSetCalibration.crossValidate(data, candidate: candidate, options: options)
                print(result.summary)
                return
            }
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
