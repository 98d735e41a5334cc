public import ArgumentParser
import Foundation
import Training
public import Workers

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a face classifier from encodings, evaluate it, and save the model.",
        discussion: """
            Splits the encodings (stratified, --test-fraction held back), searches hyper-parameters by \
            stratified k-fold cross-validation on the training part (svm: the original's grid of \
            linear/RBF kernels, C and gamma; knn: k; xgboost: a random search over the original's \
            space), evaluates the best on the held-back part, then refits it on all encodings and \
            saves it. The evaluation includes the open-set rule at every threshold.

            Example:
              zmface train encodings.json --classifier svm --out faces.model --min-proba 0.9
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

    @Option(help: "Open-set rule: minimum class probability.")
    var minProba: Double = 0.9

    @Option(help: "Open-set rule: maximum distance to the nearest training encoding of the identity.")
    var maxDistance: Double = 0.6

    @Option(help: "Open-set rule: minimum probability margin over the runner-up.")
    var minMargin: Double = 0.0

    @Option(help: "Name of the stranger class (none: every class is a person).")
    var unknownClass: String = "Unknown"

    @Option(help: "Also write the confusion matrix as SVG here.")
    var svg: String?

    func validate() throws {
        guard (0.0..<1.0).contains(testFraction) else { throw ValidationError("--test-fraction must be in [0, 1)") }
        guard (2...20).contains(folds) else { throw ValidationError("--folds must be between 2 and 20") }
        guard (0.0...1.0).contains(minProba) else { throw ValidationError("--min-proba must be between 0 and 1") }
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
        options.openSet = .init(
            minProba: minProba, maxDistance: maxDistance, minMargin: minMargin,
            unknownClass: unknownClass.isEmpty ? nil : unknownClass)
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("  \($0)\n".utf8)) }

        if testFraction > 0 {
            let (trainIndices, testIndices) = data.stratifiedSplit(testFraction: testFraction, seed: seed)
            print(
                "\(classifier.rawValue): \(data.count) encodings, \(data.classes.count) classes; "
                    + "searching on \(trainIndices.count), evaluating on \(testIndices.count)")
            let (heldOutModel, search) = try ClassifierTraining.train(
                data.subset(trainIndices), options: options, progress: log)
            print(
                "best: \(search[0].candidate) (cross-validated accuracy \(String(format: "%.4f", search[0].accuracy)))")
            let evaluation = try ClassifierEvaluation.evaluate(
                FaceClassifier(model: heldOutModel), on: data.subset(testIndices))
            print("\nheld-back evaluation (\(testIndices.count) encodings)\n\(evaluation.text)\n")
            if let svg { try evaluation.svg.write(toFile: svg, atomically: true, encoding: .utf8) }
        }
        let (model, search) = try ClassifierTraining.train(data, options: options, progress: log)
        try model.write(to: URL(fileURLWithPath: out))
        print("refitted on all \(data.count) encodings (\(search[0].candidate)); wrote \(out)")
    }
}

extension FaceClassifierModel.Kind: ExpressibleByArgument {}
