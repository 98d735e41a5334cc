import Foundation

/// Platt's sigmoid P(+1 | f) = 1 / (1 + exp(A·f + B)), fitted by Newton's method with backtracking
/// (Lin, Lin & Weng 2007), as libsvm does.
package struct PlattSigmoid: Codable, Equatable, Sendable {
    package var a: Double
    package var b: Double

    package init(a: Double, b: Double) {
        self.a = a
        self.b = b
    }

    package func probability(_ decision: Double) -> Double {
        let fApB = decision * a + b
        return fApB >= 0 ? Foundation.exp(-fApB) / (1 + Foundation.exp(-fApB)) : 1 / (1 + Foundation.exp(fApB))
    }
}

/// Multiclass probabilities from pairwise ones (Wu, Lin & Weng 2004, method 2; libsvm's
/// multiclass_probability). `pairwise[i][j]` is the probability that class i beats class j.
package func coupledProbabilities(_ pairwise: [[Double]]) -> [Double] {
    let k = pairwise.count
    if k == 1 { return [1] }
    var q = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for t in 0..<k {
        for j in 0..<k where j != t {
            q[t][t] += pairwise[j][t] * pairwise[j][t]
            q[t][j] = -pairwise[j][t] * pairwise[t][j]
        }
    }
    var p = [Double](repeating: 1 / Double(k), count: k)
    var qp = [Double](repeating: 0, count: k)
    let epsilon = 0.005 / Double(k)
    for _ in 0..<max(100, k) {
        var pqp = 0.0
        for t in 0..<k {
            qp[t] = 0
            for j in 0..<k { qp[t] += q[t][j] * p[j] }
            pqp += p[t] * qp[t]
        }
        if qp.map({ abs($0 - pqp) }).max()! < epsilon { break }
        for t in 0..<k {
            let difference = (-qp[t] + pqp) / q[t][t]
            p[t] += difference
            pqp = (pqp + difference * (difference * q[t][t] + 2 * qp[t])) / (1 + difference) / (1 + difference)
            for j in 0..<k {
                qp[j] = (qp[j] + difference * q[t][j]) / (1 + difference)
                p[j] /= 1 + difference
            }
        }
    }
    return p
}
