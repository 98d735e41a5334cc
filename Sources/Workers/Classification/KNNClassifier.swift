/// k nearest neighbours over the reference encodings, votes weighted by closeness: the distance
/// rule that face_recognition users apply by hand (same person below ~0.6), made a classifier.
public struct KNNModel: Codable, Sendable, Equatable {
    public var k: Int

    public init(k: Int) {
        self.k = k
    }

    package func probabilities(_ encoding: [Float], references: [[Float]], labels: [Int], classCount: Int)
        -> [Double]
    {
        var nearest: [(distance: Double, label: Int)] = []
        for (index, reference) in references.enumerated() {
            var squared: Float = 0
            for d in 0..<encoding.count {
                let delta = encoding[d] - reference[d]
                squared += delta * delta
            }
            nearest.append((Double(squared).squareRoot(), labels[index]))
        }
        nearest.sort { $0.distance < $1.distance }
        var weights = [Double](repeating: 0, count: classCount)
        for neighbour in nearest.prefix(k) { weights[neighbour.label] += 1 / max(neighbour.distance, 1e-6) }
        let total = weights.reduce(0, +)
        return total > 0 ? weights.map { $0 / total } : weights
    }
}
