import Foundation
import Synchronization
public import Workers
import ZMFaceCore

/// Options of `zmface train`.
public struct TrainingOptions: Sendable {
    public var kind: FaceClassifierModel.Kind
    public var folds = 5
    public var seed: UInt64 = 1234
    public var encoder: FaceClassifierModel.EncoderSettings
    public var openSet = FaceClassifierModel.OpenSetRule()
    /// The original's grid: linear and RBF, C and gamma in {0.001 … 100}.
    public var svmGrid: [(kernel: Kernel, c: Double)] = {
        let values = [0.001, 0.01, 0.1, 1, 10, 100]
        return values.map { (Kernel.linear, $0) }
            + values.flatMap { gamma in values.map { (Kernel.rbf(gamma: gamma), $0) } }
    }()
    public var knnNeighbours = [1, 3, 5, 7]
    public var xgboostCandidates = 6
    public var xgboostRounds = 200

    public init(kind: FaceClassifierModel.Kind, encoder: FaceClassifierModel.EncoderSettings) {
        self.kind = kind
        self.encoder = encoder
    }
}

/// One setting of a classifier's hyper-parameters.
public enum Candidate: Sendable, Equatable, CustomStringConvertible {
    case svm(kernel: Kernel, c: Double)
    case knn(k: Int)
    case xgboost(parameters: [String: String])

    /// The setting a fitted model was trained with (to refit it on other data, as `evaluate --folds` does).
    public init?(of model: FaceClassifierModel) {
        switch model.kind {
        case .svm:
            guard let svm = model.svm else { return nil }
            self = .svm(kernel: svm.kernel, c: svm.c)
        case .knn:
            guard let knn = model.knn else { return nil }
            self = .knn(k: knn.k)
        case .xgboost:
            guard let xgboost = model.xgboost else { return nil }
            self = .xgboost(parameters: xgboost.parameters.filter { XGBoostTrainer.space.keys.contains($0.key) })
        }
    }

    public var description: String {
        switch self {
        case .svm(let kernel, let c): "\(kernel.description) C=\(c)"
        case .knn(let k): "k=\(k)"
        case .xgboost(let parameters):
            parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
    }
}

/// What the search tried and chose.
public struct SearchResult: Sendable {
    public var candidate: Candidate
    public var accuracy: Double
}

public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case empty
    case tooFewClasses([String])
    case classTooSmall(String, Int)

    public var description: String {
        switch self {
        case .empty: "no encodings to train on"
        case .tooFewClasses(let classes):
            "a classifier needs at least two classes; found \(classes.isEmpty ? "none" : classes.joined(separator: ", ")). "
                + "Add a folder per person and an Unknown/ folder of strangers"
        case .classTooSmall(let name, let count):
            "class \(name) has \(count) encoding(s); at least 2 are needed (one to train, one to test)"
        }
    }
}

/// Searches hyper-parameters by stratified k-fold cross-validation, then fits the chosen classifier.
public enum ClassifierTraining {
    public static func check(_ data: LabelledEncodings) throws(TrainingError) {
        guard data.count > 0 else { throw .empty }
        guard data.classes.count >= 2 else { throw .tooFewClasses(data.classes) }
        for (index, count) in data.counts().enumerated() where count < 2 {
            throw .classTooSmall(data.classes[index], count)
        }
    }

    /// Searches, then fits the best candidate on all of `data`. Returns the model and the search
    /// log, best first.
    public static func train(
        _ data: LabelledEncodings, options: TrainingOptions, progress: @Sendable (String) -> Void = { _ in }
    ) throws -> (FaceClassifierModel, [SearchResult]) {
        let results = try search(data, options: options, progress: progress)
        return (try fit(data, candidate: results[0].candidate, options: options), results)
    }

    /// Scores every candidate of `options.kind` by stratified k-fold accuracy; best first (ties keep
    /// the earlier, simpler candidate, as GridSearchCV does).
    public static func search(
        _ data: LabelledEncodings, options: TrainingOptions, progress: @Sendable (String) -> Void = { _ in }
    ) throws -> [SearchResult] {
        try check(data)
        let folds = max(2, min(options.folds, data.counts().min() ?? 2))
        var results: [SearchResult] = []
        switch options.kind {
        case .svm:
            let trainer = svmTrainer(options)
            let vectors = data.encodings.map(\.values)
            let grams = Dictionary(
                uniqueKeysWithValues: Set(options.svmGrid.map(\.kernel)).map { ($0, $0.gram(vectors)) })
            let grid = options.svmGrid
            let scores = ParallelResults<Double>(count: grid.count)
            DispatchQueue.concurrentPerform(iterations: grid.count) { index in
                let (kernel, c) = grid[index]
                let accuracy = trainer.crossValidatedAccuracy(
                    data, gram: grams[kernel]!, kernel: kernel, c: c, folds: folds)
                scores.set(index, accuracy)
                progress("svm \(kernel.description) C=\(c): \(String(format: "%.4f", accuracy))")
            }
            results = grid.indices.map {
                SearchResult(candidate: .svm(kernel: grid[$0].kernel, c: grid[$0].c), accuracy: scores.values[$0]!)
            }
        case .knn:
            let references = data.encodings.map(\.values)
            for k in options.knnNeighbours {
                let testSets = data.stratifiedFolds(folds, seed: options.seed)
                var correct = 0
                for test in testSets {
                    let testSet = Set(test)
                    let training = (0..<data.count).filter { !testSet.contains($0) }
                    let knn = KNNModel(k: k)
                    for sample in test {
                        let probabilities = knn.probabilities(
                            references[sample], references: training.map { references[$0] },
                            labels: training.map { data.labels[$0] }, classCount: data.classes.count)
                        if probabilities.indices.max(by: { probabilities[$0] < probabilities[$1] })
                            == data.labels[sample]
                        {
                            correct += 1
                        }
                    }
                }
                results.append(SearchResult(candidate: .knn(k: k), accuracy: Double(correct) / Double(data.count)))
                progress("knn k=\(k): \(String(format: "%.4f", results.last!.accuracy))")
            }
        case .xgboost:
            let trainer = xgboostTrainer(options)
            let candidates = trainer.candidates(options.xgboostCandidates)
            let testSets = data.stratifiedFolds(folds, seed: options.seed)
            let scores = ParallelResults<Double>(count: candidates.count)
            let failures = ParallelResults<String>(count: candidates.count)
            DispatchQueue.concurrentPerform(iterations: candidates.count) { index in
                var correct = 0
                do {
                    for test in testSets {
                        let testSet = Set(test)
                        let training = (0..<data.count).filter { !testSet.contains($0) }
                        let booster = try trainer.fit(data, members: training, parameters: candidates[index])
                        let predicted = try XGBoostRuntime.shared.probabilities(
                            booster, rows: test.map { data.encodings[$0].values }, classCount: data.classes.count)
                        for (sample, probabilities) in zip(test, predicted)
                        where probabilities.indices.max(by: { probabilities[$0] < probabilities[$1] })
                            == data.labels[sample]
                        {
                            correct += 1
                        }
                    }
                    scores.set(index, Double(correct) / Double(data.count))
                    progress(
                        "xgboost \(Candidate.xgboost(parameters: candidates[index])): \(String(format: "%.4f", scores.values[index]!))"
                    )
                } catch {
                    failures.set(index, "\(error)")
                }
            }
            if let failure = failures.values.compactMap({ $0 }).first { throw XGBoostError.library(failure) }
            results = candidates.indices.map {
                SearchResult(candidate: .xgboost(parameters: candidates[$0]), accuracy: scores.values[$0]!)
            }
        }
        let best = Self.bestIndex(results)
        return [results[best]]
            + results.indices.filter { $0 != best }.map { results[$0] }
            .sorted { $0.accuracy > $1.accuracy }
    }

    /// Fits one candidate on all of `data` (no search): the model `train` writes, and the models of
    /// the calibration rounds.
    public static func fit(_ data: LabelledEncodings, candidate: Candidate, options: TrainingOptions) throws
        -> FaceClassifierModel
    {
        var model = FaceClassifierModel(
            kind: options.kind, classes: data.classes, encoder: options.encoder, openSet: options.openSet,
            zmfaceVersion: ZMFaceVersion.current, createdAt: ISO8601DateFormatter().string(from: Date()),
            referenceLabels: data.labels, referenceEncodings: FaceClassifierModel.packEncodings(data.encodings))
        switch candidate {
        case .svm(let kernel, let c):
            model.kind = .svm
            model.svm = svmTrainer(options).fit(
                data, gram: kernel.gram(data.encodings.map(\.values)), kernel: kernel, c: c, probability: true)
        case .knn(let k):
            model.kind = .knn
            model.knn = KNNModel(k: k)
        case .xgboost(let parameters):
            model.kind = .xgboost
            model.xgboost = try xgboostTrainer(options).fit(
                data, members: Array(0..<data.count), parameters: parameters)
        }
        return model
    }

    private static func svmTrainer(_ options: TrainingOptions) -> SVMTrainer {
        var trainer = SVMTrainer()
        trainer.seed = options.seed
        return trainer
    }

    private static func xgboostTrainer(_ options: TrainingOptions) -> XGBoostTrainer {
        var trainer = XGBoostTrainer()
        trainer.seed = options.seed
        trainer.rounds = options.xgboostRounds
        return trainer
    }

    /// The most accurate candidate; ties go to the earlier one (the simpler model, smaller C), as
    /// GridSearchCV does. The stable sort of the returned log keeps it first.
    private static func bestIndex(_ results: [SearchResult]) -> Int {
        results.indices.max {
            results[$0].accuracy < results[$1].accuracy || (results[$0].accuracy == results[$1].accuracy && $0 > $1)
        }!
    }
}

/// Results written by parallel iterations, one slot each.
final class ParallelResults<Value: Sendable>: Sendable {
    private let storage: Mutex<[Value?]>

    init(count: Int) {
        storage = Mutex([Value?](repeating: nil, count: count))
    }

    func set(_ index: Int, _ value: Value) {
        storage.withLock { $0[index] = value }
    }

    var values: [Value?] { storage.withLock { $0 } }
}
