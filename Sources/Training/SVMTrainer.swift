import Foundation
import Workers
import ZMFaceCore

/// Trains `SVMModel`s, and scores (kernel, C) candidates by stratified cross-validation.
public struct SVMTrainer: Sendable {
    public var probabilityFolds = 5
    public var seed: UInt64 = 1234

    public init() {}

    /// Balanced class weights: n / (k · n_class), as scikit-learn's class_weight="balanced".
    static func costs(labels: [Int], members: [Int], classCount: Int, c: Double) -> [Double] {
        var counts = [Int](repeating: 0, count: classCount)
        for member in members { counts[labels[member]] += 1 }
        let present = counts.filter { $0 > 0 }.count
        return members.map { member in
            c * Double(members.count) / (Double(present) * Double(counts[labels[member]]))
        }
    }

    /// Fits every pair on `members` (all samples when nil) of a precomputed kernel matrix.
    func fit(
        _ data: LabelledEncodings, gram: [Float], kernel: Kernel, c: Double, members: [Int]? = nil, probability: Bool
    ) -> SVMModel {
        let n = data.count
        let members = members ?? Array(0..<n)
        let classCount = data.classes.count
        let weights = Self.costs(labels: data.labels, members: members, classCount: classCount, c: c)
        let costOf = Dictionary(uniqueKeysWithValues: zip(members, weights))
        var pairs: [SVMModel.Pair] = []
        for first in 0..<classCount {
            for second in (first + 1)..<classCount {
                let pairMembers = members.filter { data.labels[$0] == first || data.labels[$0] == second }
                guard !pairMembers.isEmpty else { continue }
                let positive = pairMembers.map { data.labels[$0] == first }
                let cost = pairMembers.map { costOf[$0]! }
                let svm = BinarySVM.train(gram: gram, size: n, members: pairMembers, positive: positive, cost: cost)
                var sigmoid = PlattSigmoid(a: 0, b: 0)
                if probability {
                    sigmoid = plattSigmoid(gram: gram, n: n, members: pairMembers, positive: positive, cost: cost)
                }
                pairs.append(
                    .init(
                        first: first, second: second, supportVectors: svm.supportIndices,
                        coefficients: svm.coefficients,
                        rho: svm.rho, sigmoidA: sigmoid.a, sigmoidB: sigmoid.b))
            }
        }
        return SVMModel(kernel: kernel, c: c, pairs: pairs)
    }

    /// libsvm's svm_binary_svc_probability: decision values from internal k-fold CV, then a sigmoid.
    private func plattSigmoid(gram: [Float], n: Int, members: [Int], positive: [Bool], cost: [Double]) -> PlattSigmoid {
        var generator = SeededGenerator(seed: seed &+ UInt64(members.count))
        let order = Array(members.indices).shuffled(using: &generator)
        var decisions = [Double](repeating: 0, count: members.count)
        let folds = min(probabilityFolds, members.count)
        for fold in 0..<max(folds, 1) {
            let heldOut = order.enumerated().filter { $0.offset % folds == fold }.map(\.element)
            let heldSet = Set(heldOut)
            let training = members.indices.filter { !heldSet.contains($0) }
            let trainingPositive = training.map { positive[$0] }
            if trainingPositive.allSatisfy({ $0 }) || !trainingPositive.contains(true) {
                for held in heldOut {
                    decisions[held] = trainingPositive.first == true ? 1 : (training.isEmpty ? 0 : -1)
                }
                continue
            }
            let svm = BinarySVM.train(
                gram: gram, size: n, members: training.map { members[$0] }, positive: trainingPositive,
                cost: training.map { cost[$0] })
            for held in heldOut {
                decisions[held] = svm.decision { Double(gram[members[held] * n + $0]) }
            }
        }
        return PlattSigmoid.fit(decisions: decisions, positive: positive)
    }

    /// One-vs-one voting prediction (no probabilities) for samples of the same kernel matrix.
    static func votes(_ model: SVMModel, gram: [Float], n: Int, sample: Int, classCount: Int) -> Int {
        var tally = [Int](repeating: 0, count: classCount)
        for pair in model.pairs {
            var sum = -pair.rho
            for (position, index) in pair.supportVectors.enumerated() {
                sum += pair.coefficients[position] * Double(gram[sample * n + index])
            }
            tally[sum > 0 ? pair.first : pair.second] += 1
        }
        return tally.indices.max { tally[$0] < tally[$1] || (tally[$0] == tally[$1] && $0 > $1) }!
    }

    /// Mean stratified k-fold accuracy of (kernel, C) on `data`.
    func crossValidatedAccuracy(_ data: LabelledEncodings, gram: [Float], kernel: Kernel, c: Double, folds: Int)
        -> Double
    {
        let testSets = data.stratifiedFolds(folds, seed: seed)
        var correct = 0
        var total = 0
        for test in testSets where !test.isEmpty {
            let testSet = Set(test)
            let training = (0..<data.count).filter { !testSet.contains($0) }
            let model = fit(data, gram: gram, kernel: kernel, c: c, members: training, probability: false)
            for sample in test {
                total += 1
                if Self.votes(model, gram: gram, n: data.count, sample: sample, classCount: data.classes.count)
                    == data.labels[sample]
                {
                    correct += 1
                }
            }
        }
        return total == 0 ? 0 : Double(correct) / Double(total)
    }
}
