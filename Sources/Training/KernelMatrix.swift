import Foundation
import Workers

extension Kernel {
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
}

/// Lets parallel loops write disjoint elements of one buffer.
/// `@unchecked Sendable` is safe here because every iteration writes only its own row and the
/// buffer outlives the concurrentPerform call that uses it.
struct UncheckedSendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
