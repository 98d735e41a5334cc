import Foundation
import ZMFaceCore

/// A multiclass SVM as scikit-learn's `SVC(probability=True, class_weight="balanced")` builds it:
/// one binary SVM per pair of classes, Platt sigmoids fitted on internal cross-validation, and
/// pairwise coupling into class probabilities.
public struct SVMModel: Codable, Sendable, Equatable {
    public struct Pair: Codable, Sendable, Equatable {
        /// Class indices; `first` is the +1 side.
        public var first: Int
        public var second: Int
        /// Indices into the model's reference encodings, and their dual coefficients y·α.
        public var supportVectors: [Int]
        public var coefficients: [Double]
        public var rho: Double
        public var sigmoidA: Double
        public var sigmoidB: Double

        package init(
            first: Int, second: Int, supportVectors: [Int], coefficients: [Double], rho: Double, sigmoidA: Double,
            sigmoidB: Double
        ) {
            self.first = first
            self.second = second
            self.supportVectors = supportVectors
            self.coefficients = coefficients
            self.rho = rho
            self.sigmoidA = sigmoidA
            self.sigmoidB = sigmoidB
        }
    }

    public var kernel: Kernel
    public var c: Double
    public var pairs: [Pair]

    package init(kernel: Kernel, c: Double, pairs: [Pair]) {
        self.kernel = kernel
        self.c = c
        self.pairs = pairs
    }

    /// Class probabilities for one encoding; `references` are the encodings the pairs index into.
    func probabilities(_ encoding: [Float], references: [[Float]], classCount: Int) -> [Double] {
        var cache: [Int: Double] = [:]
        var pairwise = [[Double]](repeating: [Double](repeating: 0, count: classCount), count: classCount)
        for pair in pairs {
            let decision = decisionValue(pair, encoding, references, &cache)
            let probability = min(
                max(PlattSigmoid(a: pair.sigmoidA, b: pair.sigmoidB).probability(decision), 1e-7), 1 - 1e-7)
            pairwise[pair.first][pair.second] = probability
            pairwise[pair.second][pair.first] = 1 - probability
        }
        return coupledProbabilities(pairwise)
    }

    private func decisionValue(_ pair: Pair, _ encoding: [Float], _ references: [[Float]], _ cache: inout [Int: Double])
        -> Double
    {
        var sum = -pair.rho
        for (position, index) in pair.supportVectors.enumerated() {
            let value: Double
            if let cached = cache[index] {
                value = cached
            } else {
                value = kernel.value(references[index], encoding)
                cache[index] = value
            }
            sum += pair.coefficients[position] * value
        }
        return sum
    }
}
