import Foundation
import Testing
import ZMFaceCore

@testable import Training
@testable import Workers

/// The hand-written SVM pieces on inputs whose answers are known exactly.
@Suite struct ClassificationTests {
    /// Encodings whose first two coordinates are (x, y) and the rest zero.
    private func points(_ coordinates: [(Float, Float)]) -> [FaceEncoding] {
        coordinates.map { x, y in FaceEncoding([x, y] + [Float](repeating: 0, count: 126))! }
    }

    @Test("Pairwise coupling of two classes returns the pairwise probability; of three, a distribution")
    func coupling() {
        let two = coupledProbabilities([[0, 0.8], [0.2, 0]])
        #expect(abs(two[0] - 0.8) < 1e-3 && abs(two[1] - 0.2) < 1e-3)
        // Method 2 of Wu, Lin & Weng minimises pᵀQp over the simplex; at the optimum every (Qp)_t
        // equals pᵀQp (the KKT condition), which is what the iteration stops on.
        let r: [[Double]] = [[0, 0.9, 0.8], [0.1, 0, 0.6], [0.2, 0.4, 0]]
        let three = coupledProbabilities(r)
        #expect(abs(three.reduce(0, +) - 1) < 1e-9)
        var q = [[Double]](repeating: [0, 0, 0], count: 3)
        for t in 0..<3 {
            for j in 0..<3 where j != t {
                q[t][t] += r[j][t] * r[j][t]
                q[t][j] = -r[j][t] * r[t][j]
            }
        }
        let qp = (0..<3).map { t in (0..<3).reduce(0) { $0 + q[t][$1] * three[$1] } }
        let pqp = (0..<3).reduce(0) { $0 + three[$1] * qp[$1] }
        #expect(qp.allSatisfy { abs($0 - pqp) < 0.005 / 3 })
        #expect(three[0] > 0.6, "class 0 beats both others with high probability")
    }

    @Test("Platt's sigmoid maps well-separated decision values to confident probabilities")
    func platt() {
        let decisions = [2.0, 1.5, 1.8, 2.2, -2.0, -1.7, -2.4, -1.2]
        let sigmoid = PlattSigmoid.fit(
            decisions: decisions, positive: [true, true, true, true, false, false, false, false])
        #expect(sigmoid.probability(2) > 0.8)
        #expect(sigmoid.probability(-2) < 0.2)
        #expect(abs(sigmoid.probability(0) - 0.5) < 0.2)
    }

    @Test("SMO separates XOR with an RBF kernel and a line with a linear one")
    func binarySVM() {
        let xor = points([(0, 0), (1, 1), (0, 1), (1, 0), (0.1, 0), (0.9, 1), (0, 0.9), (1, 0.1)])
        let positive = [true, true, false, false, true, true, false, false]
        let kernel = Kernel.rbf(gamma: 2)
        let gram = kernel.gram(xor.map(\.values))
        let svm = BinarySVM.train(
            gram: gram, size: 8, members: Array(0..<8), positive: positive, cost: [Double](repeating: 100, count: 8))
        for sample in 0..<8 {
            let decision = svm.decision { Double(gram[sample * 8 + $0]) }
            #expect((decision > 0) == positive[sample], "sample \(sample): \(decision)")
        }
        let line = points([(-2, 0), (-1, 1), (-1.5, -1), (2, 0), (1, 1), (1.5, -1)])
        let linearGram = Kernel.linear.gram(line.map(\.values))
        let linear = BinarySVM.train(
            gram: linearGram, size: 6, members: Array(0..<6), positive: [true, true, true, false, false, false],
            cost: [Double](repeating: 10, count: 6))
        // Maximum margin: the boundary is x = 0, the margin support vectors are the points at |x| = 1.
        #expect(abs(linear.rho) < 1e-3)
        #expect(Set(linear.supportIndices) == [1, 4])
    }

    @Test("A trained SVM model names well-separated clusters and survives a write/load round trip")
    func svmRoundTrip() throws {
        var coordinates: [(Float, Float)] = []
        var names: [String] = []
        var generator = SeededGenerator(seed: 7)
        for (name, centre) in [("a", (Float(0), Float(0))), ("b", (Float(3), Float(0))), ("c", (Float(0), Float(3)))] {
            for _ in 0..<8 {
                coordinates.append(
                    (
                        centre.0 + Float.random(in: -0.3...0.3, using: &generator),
                        centre.1 + Float.random(in: -0.3...0.3, using: &generator)
                    ))
                names.append(name)
            }
        }
        let data = LabelledEncodings(encodings: points(coordinates), names: names)
        var options = TrainingOptions(kind: .svm, encoder: .init(detector: "hog", upsample: 1, jitters: 1))
        options.openSet = .init(minProba: 0.5, maxDistance: 1.0, minMargin: 0, unknownClass: nil)
        let (model, search) = try ClassifierTraining.train(data, options: options)
        #expect(search[0].accuracy == 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zmface-\(UUID().uuidString).model")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.write(to: url)
        let loaded = try FaceClassifierModel.load(from: url)
        #expect(loaded == model)
        let classifier = FaceClassifier(model: loaded)
        #expect(try classifier.identify(points([(3.1, 0.1)])[0]).name == "b")
        #expect(try classifier.identify(points([(-0.1, 2.9)])[0]).name == "c")
        // Far from every training encoding: the distance rule rejects it whatever the probability.
        let far = try classifier.identify(points([(10, 10)])[0])
        #expect(far.name == nil && (far.distance ?? 0) > 1)
    }

    @Test("Stratified splits and folds keep every class on both sides")
    func stratification() {
        let names = Array(repeating: "a", count: 10) + Array(repeating: "b", count: 5)
        let data = LabelledEncodings(encodings: points(names.indices.map { (Float($0), 0) }), names: names)
        let (train, test) = data.stratifiedSplit(testFraction: 0.2, seed: 1)
        #expect(test.count == 3 && train.count == 12)
        #expect(Set(test.map { data.labels[$0] }) == [0, 1])
        let folds = data.stratifiedFolds(5, seed: 1)
        #expect(folds.allSatisfy { fold in Set(fold.map { data.labels[$0] }) == [0, 1] })
        #expect(folds.flatMap { $0 }.sorted() == Array(0..<15))
    }
}
