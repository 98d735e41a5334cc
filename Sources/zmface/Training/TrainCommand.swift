public import ArgumentParser
import Foundation
import Training
public import Workers

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a face classifier from encodings, evaluate it, and save the model.",
        discussion: """
            Searches hyper-parameters by stratified k-fold cross-validation (svm: the original's grid \
            of linear/RBF kernels, C and gamma; knn: k; xgboost: a random search over the original's \
            space), then chooses the open-set rule from the data: every known face is judged by a \
            model trained without it, every person in turn is left out to play the stranger (with \
            the Unknown class), and the rule that names the most known faces correctly while naming \
            at most --target-stranger-acceptance of the strangers is stored in the model with its \
            estimated figures. With fewer than 3 people or 3 photos each it falls back to dlib's \
            distance rule (0.6). --min-proba, --max-distance and --min-margin fix a threshold; the \
            others are still chosen. The report leads with the rule's figures and the people who \
            need more photos; the detail (held-back split, confusion matrix, every threshold) follows.

            Examples:
              zmface train encodings.json --out faces.model
              zmface train encodings.json --classifier knn --out faces.model --target-stranger-acceptance 0.005
              zmface train encodings.json --out faces.model --min-proba 0.9   # the original's threshold
            """
    )

    @Argument(help: "Encodings file from `zmface encode`.")
    var encodings: String

    @Option(help: "svm, knn or xgboost.")
    var classifier: FaceClassifierModel.Kind = .svm

    @Option(help: "Model file to write.")
    var out: String

    @Option(help: "Share of each class held back for the evaluation.")
    var testFraction: Double = 0.2

    @Option(help: "Cross-validation folds for the hyper-parameter search.")
    var folds: Int = 5

    @Option(help: "Seed for splits and searches.")
    var seed: UInt64 = 1234

    @Option(help: "Highest share of strangers the chosen open-set rule may name as a known person.")
    var targetStrangerAcceptance: Double = 0.01

    @Option(help: "Open-set rule: minimum class probability (default: chosen from the data).")
    var minProba: Double?

    @Option(help: "Open-set rule: maximum distance to the identity's nearest training encoding (default: chosen).")
    var maxDistance: Double?

    @Option(help: "Open-set rule: minimum probability margin over the runner-up (default: chosen).")
    var minMargin: Double?

    @Option(help: "Name of the stranger class (none: every class is a person).")
    var unknownClass: String = "Unknown"

    @Option(help: "Also write the confusion matrix as SVG here.")
    var svg: String?

    func validate() throws {
        guard (0.0..<1.0).contains(testFraction) else { throw ValidationError("--test-fraction must be in [0, 1)") }
        guard (2...20).contains(folds) else { throw ValidationError("--folds must be between 2 and 20") }
        if let minProba, !(0.0...1.0).contains(minProba) {
            throw ValidationError("--min-proba must be between 0 and 1")
        }
        if let maxDistance, !(maxDistance > 0 && maxDistance.isFinite) {
            throw ValidationError("--max-distance must be a positive number")
        }
        if let minMargin, !(0.0...1.0).contains(minMargin) {
            throw ValidationError("--min-margin must be between 0 and 1")
        }
        guard (0.0..<1.0).contains(targetStrangerAcceptance) else {
            throw ValidationError("--target-stranger-acceptance must be in [0, 1)")
        }
    }

    func run() throws {
        do {
            try train()
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }

    private func train() throws {
        let set = try EncodingSet.load(from: URL(fileURLWithPath: encodings))
        let data = set.labelled
        try ClassifierTraining.check(data)
        var options = TrainingOptions(kind: classifier, encoder: set.encoder)
        options.folds = folds
        options.seed = seed
        options.openSet.unknownClass = unknownClass.isEmpty ? nil : unknownClass
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("  \($0)\n".utf8)) }

        print("\(classifier.rawValue): \(data.count) encodings, \(data.classes.count) classes")
        let search = try ClassifierTraining.search(data, options: options, progress: log)
        let best = search[0].candidate
        print("best: \(best) (cross-validated accuracy \(String(format: "%.4f", search[0].accuracy)))")
        let calibration = try OpenSetCalibration.calibrate(
            data, candidate: best, options: options, target: targetStrangerAcceptance,
            fixed: .init(minProba: minProba, maxDistance: maxDistance, minMargin: minMargin), progress: log)
        print("\n\(calibration.summary)\n")
        options.openSet = calibration.rule

        if testFraction > 0 {
            let (trainIndices, testIndices) = data.stratifiedSplit(testFraction: testFraction, seed: seed)
            let heldOutModel = try ClassifierTraining.fit(data.subset(trainIndices), candidate: best, options: options)
            let evaluation = try ClassifierEvaluation.evaluate(
                FaceClassifier(model: heldOutModel), on: data.subset(testIndices))
            print(
                "detail: held-back evaluation (\(best) fitted on \(trainIndices.count) encodings, "
                    + "evaluated on \(testIndices.count))\n\(evaluation.text)\n")
            if let svg { try evaluation.svg.write(toFile: svg, atomically: true, encoding: .utf8) }
        }
        var model = try ClassifierTraining.fit(data, candidate: best, options: options)
        model.calibration = calibration.estimate
        try model.write(to: URL(fileURLWithPath: out))
        print("refitted on all \(data.count) encodings (\(best)); wrote \(out)")
    }
}

extension FaceClassifierModel.Kind: ExpressibleByArgument {}
