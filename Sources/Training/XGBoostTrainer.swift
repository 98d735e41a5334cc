import Foundation
import Workers

/// Trains boosters with the original's objective (multi:softprob) and a small random search.
public struct XGBoostTrainer: Sendable {
    public var rounds = 200
    public var learningRate = 0.1
    public var seed: UInt64 = 1234

    public init() {}

    /// The original's search space (train.py).
    static let space: [String: [String]] = [
        "min_child_weight": ["1", "5", "10"], "gamma": ["0.5", "1", "1.5", "2", "5"],
        "subsample": ["0.6", "0.8", "1.0"], "colsample_bytree": ["0.6", "0.8", "1.0"], "max_depth": ["3", "4", "5"],
    ]

    func candidates(_ count: Int) -> [[String: String]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            Dictionary(
                uniqueKeysWithValues: Self.space.map { key, values in (key, values.randomElement(using: &generator)!) })
        }
    }

    func fit(_ data: LabelledEncodings, members: [Int], parameters: [String: String]) throws(XGBoostError)
        -> XGBoostModel
    {
        var all = parameters
        all["objective"] = "multi:softprob"
        all["num_class"] = "\(data.classes.count)"
        all["eta"] = "\(learningRate)"
        all["seed"] = "\(seed % UInt64(Int32.max))"
        all["nthread"] = "1"
        all["verbosity"] = "0"
        let booster = try XGBoostRuntime.shared.train(
            rows: members.map { data.encodings[$0].values }, labels: members.map { Float(data.labels[$0]) },
            parameters: all, rounds: rounds)
        return XGBoostModel(booster: booster, parameters: all, rounds: rounds)
    }
}
