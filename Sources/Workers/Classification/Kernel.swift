import Foundation

/// SVM kernels over 128-D encodings.
public enum Kernel: Sendable, Hashable, Codable {
    case linear
    /// exp(-gamma · |a − b|²)
    case rbf(gamma: Double)

    package func value(_ a: [Float], _ b: [Float]) -> Double {
        switch self {
        case .linear:
            var dot: Float = 0
            for index in a.indices { dot += a[index] * b[index] }
            return Double(dot)
        case .rbf(let gamma):
            var squared: Float = 0
            for index in a.indices {
                let delta = a[index] - b[index]
                squared += delta * delta
            }
            return Foundation.exp(-gamma * Double(squared))
        }
    }

    public var description: String {
        switch self {
        case .linear: "linear"
        case .rbf(let gamma): "rbf(gamma=\(gamma))"
        }
    }
}
