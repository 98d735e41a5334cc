import Foundation

/// SVM kernels over 128-D encodings.
public enum Kernel: Sendable, Hashable, Codable {
    case linear
    /// exp(-gamma · |a − b|²)
    case rbf(gamma: Double)

    func value(_ a: [Float], _ b: [Float]) -> Double {
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

    /// The n×n kernel matrix of `vectors`, row-major, rows computed in parallel.
    func gram(_ vectors: [[Float]]) -> [Float] {
        let n = vectors.count
        var matrix = [Float](repeating: 0, count: n * n)
        matrix.withUnsafeMutableBufferPointer { buffer in
            let base = UncheckedSendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: n) { i in
                for j in 0..<n { base.buffer[i * n + j] = Float(value(vectors[i], vectors[j])) }
            }
        }
        return matrix
    }

    public var description: String {
        switch self {
        case .linear: "linear"
        case .rbf(let gamma): "rbf(gamma=\(gamma))"
        }
    }
}

/// Lets parallel loops write disjoint elements of one buffer.
/// `@unchecked Sendable` is safe here because every iteration writes only its own row and the
/// buffer outlives the concurrentPerform call that uses it.
struct UncheckedSendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
