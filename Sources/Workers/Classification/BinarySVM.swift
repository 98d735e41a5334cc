import Foundation

/// A two-class C-SVM trained by sequential minimal optimisation with second-order working-set
/// selection (Fan, Chen & Lin 2005), the algorithm of libsvm, which scikit-learn's SVC uses. Written
/// here because no Swift package offers it; checked against scikit-learn in the test suite.
struct BinarySVM {
    /// Dual coefficients y_i·α_i of the support vectors, and their indices in the training set.
    var supportIndices: [Int]
    var coefficients: [Double]
    var rho: Double

    /// Decision value for a sample, given its kernel values against the support vectors.
    func decision(kernelValues: (Int) -> Double) -> Double {
        var sum = -rho
        for (position, index) in supportIndices.enumerated() { sum += coefficients[position] * kernelValues(index) }
        return sum
    }

    /// Trains on samples `members` of the kernel matrix `gram` (n×n over all samples, row-major,
    /// single precision to halve its memory),
    /// with labels +1/−1 and per-sample costs.
    static func train(
        gram: [Float], size n: Int, members: [Int], positive: [Bool], cost: [Double], tolerance: Double = 1e-3
    ) -> BinarySVM {
        let count = members.count
        let y: [Double] = positive.map { $0 ? 1 : -1 }
        func kernel(_ a: Int, _ b: Int) -> Double { Double(gram[members[a] * n + members[b]]) }
        var alpha = [Double](repeating: 0, count: count)
        var gradient = [Double](repeating: -1, count: count)
        let diagonal = (0..<count).map { kernel($0, $0) }
        let tau = 1e-12
        var row = [Double](repeating: 0, count: count)
        var rowJ = [Double](repeating: 0, count: count)
        let maxIterations = max(10_000_000, count > Int.max / 100 ? Int.max : 100 * count)

        func isUpper(_ t: Int) -> Bool { alpha[t] >= cost[t] }
        func isLower(_ t: Int) -> Bool { alpha[t] <= 0 }

        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            // Working set: i maximises −y∇f over I_up; j minimises the second-order objective.
            var gmax = -Double.infinity
            var gmax2 = -Double.infinity
            var i = -1
            for t in 0..<count {
                if y[t] > 0 {
                    if !isUpper(t) && -gradient[t] >= gmax {
                        gmax = -gradient[t]
                        i = t
                    }
                } else if !isLower(t) && gradient[t] >= gmax {
                    gmax = gradient[t]
                    i = t
                }
            }
            guard i >= 0 else { break }
            for t in 0..<count { row[t] = y[i] * y[t] * kernel(i, t) }
            var j = -1
            var bestObjective = Double.infinity
            for t in 0..<count {
                if y[t] > 0 {
                    guard !isLower(t) else { continue }
                    let gradientDifference = gmax + gradient[t]
                    if gradient[t] >= gmax2 { gmax2 = gradient[t] }
                    if gradientDifference > 0 {
                        let quadratic = diagonal[i] + diagonal[t] - 2 * y[i] * row[t]
                        let objective = -(gradientDifference * gradientDifference) / (quadratic > 0 ? quadratic : tau)
                        if objective <= bestObjective {
                            j = t
                            bestObjective = objective
                        }
                    }
                } else {
                    guard !isUpper(t) else { continue }
                    let gradientDifference = gmax - gradient[t]
                    if -gradient[t] >= gmax2 { gmax2 = -gradient[t] }
                    if gradientDifference > 0 {
                        let quadratic = diagonal[i] + diagonal[t] + 2 * y[i] * row[t]
                        let objective = -(gradientDifference * gradientDifference) / (quadratic > 0 ? quadratic : tau)
                        if objective <= bestObjective {
                            j = t
                            bestObjective = objective
                        }
                    }
                }
            }
            if gmax + gmax2 < tolerance || j < 0 { break }
            for t in 0..<count { rowJ[t] = y[j] * y[t] * kernel(j, t) }

            let (oldI, oldJ) = (alpha[i], alpha[j])
            let (costI, costJ) = (cost[i], cost[j])
            if y[i] != y[j] {
                var quadratic = diagonal[i] + diagonal[j] + 2 * row[j]
                if quadratic <= 0 { quadratic = tau }
                let delta = (-gradient[i] - gradient[j]) / quadratic
                let difference = alpha[i] - alpha[j]
                alpha[i] += delta
                alpha[j] += delta
                if difference > 0 {
                    if alpha[j] < 0 {
                        alpha[j] = 0
                        alpha[i] = difference
                    }
                } else if alpha[i] < 0 {
                    alpha[i] = 0
                    alpha[j] = -difference
                }
                if difference > costI - costJ {
                    if alpha[i] > costI {
                        alpha[i] = costI
                        alpha[j] = costI - difference
                    }
                } else if alpha[j] > costJ {
                    alpha[j] = costJ
                    alpha[i] = costJ + difference
                }
            } else {
                var quadratic = diagonal[i] + diagonal[j] - 2 * row[j]
                if quadratic <= 0 { quadratic = tau }
                let delta = (gradient[i] - gradient[j]) / quadratic
                let sum = alpha[i] + alpha[j]
                alpha[i] -= delta
                alpha[j] += delta
                if sum > costI {
                    if alpha[i] > costI {
                        alpha[i] = costI
                        alpha[j] = sum - costI
                    }
                } else if alpha[j] < 0 {
                    alpha[j] = 0
                    alpha[i] = sum
                }
                if sum > costJ {
                    if alpha[j] > costJ {
                        alpha[j] = costJ
                        alpha[i] = sum - costJ
                    }
                } else if alpha[i] < 0 {
                    alpha[i] = 0
                    alpha[j] = sum
                }
            }
            let deltaI = alpha[i] - oldI
            let deltaJ = alpha[j] - oldJ
            for t in 0..<count { gradient[t] += row[t] * deltaI + rowJ[t] * deltaJ }
        }

        // ρ from the free support vectors, or the middle of the feasible interval.
        var upper = Double.infinity
        var lower = -Double.infinity
        var freeSum = 0.0
        var freeCount = 0
        for t in 0..<count {
            let yGradient = y[t] * gradient[t]
            if isUpper(t) {
                if y[t] < 0 { upper = min(upper, yGradient) } else { lower = max(lower, yGradient) }
            } else if isLower(t) {
                if y[t] > 0 { upper = min(upper, yGradient) } else { lower = max(lower, yGradient) }
            } else {
                freeCount += 1
                freeSum += yGradient
            }
        }
        let rho = freeCount > 0 ? freeSum / Double(freeCount) : (upper + lower) / 2
        var indices: [Int] = []
        var coefficients: [Double] = []
        for t in 0..<count where alpha[t] > 0 {
            indices.append(members[t])
            coefficients.append(y[t] * alpha[t])
        }
        return BinarySVM(supportIndices: indices, coefficients: coefficients, rho: rho)
    }
}

/// Platt's sigmoid P(+1 | f) = 1 / (1 + exp(A·f + B)), fitted by Newton's method with backtracking
/// (Lin, Lin & Weng 2007), as libsvm does.
struct PlattSigmoid: Codable, Equatable, Sendable {
    var a: Double
    var b: Double

    func probability(_ decision: Double) -> Double {
        let fApB = decision * a + b
        return fApB >= 0 ? Foundation.exp(-fApB) / (1 + Foundation.exp(-fApB)) : 1 / (1 + Foundation.exp(fApB))
    }

    static func fit(decisions: [Double], positive: [Bool]) -> PlattSigmoid {
        let prior1 = Double(positive.filter { $0 }.count)
        let prior0 = Double(positive.count) - prior1
        let hiTarget = (prior1 + 1) / (prior1 + 2)
        let loTarget = 1 / (prior0 + 2)
        let targets = positive.map { $0 ? hiTarget : loTarget }
        var a = 0.0
        var b = Foundation.log((prior0 + 1) / (prior1 + 1))
        func objective(_ a: Double, _ b: Double) -> Double {
            var value = 0.0
            for (decision, target) in zip(decisions, targets) {
                let fApB = decision * a + b
                value +=
                    fApB >= 0
                    ? target * fApB + Foundation.log(1 + Foundation.exp(-fApB))
                    : (target - 1) * fApB + Foundation.log(1 + Foundation.exp(fApB))
            }
            return value
        }
        var value = objective(a, b)
        for _ in 0..<100 {
            var h11 = 1e-12
            var h22 = 1e-12
            var h21 = 0.0
            var g1 = 0.0
            var g2 = 0.0
            for (decision, target) in zip(decisions, targets) {
                let fApB = decision * a + b
                let (p, q) =
                    fApB >= 0
                    ? (Foundation.exp(-fApB) / (1 + Foundation.exp(-fApB)), 1 / (1 + Foundation.exp(-fApB)))
                    : (1 / (1 + Foundation.exp(fApB)), Foundation.exp(fApB) / (1 + Foundation.exp(fApB)))
                let d2 = p * q
                h11 += decision * decision * d2
                h22 += d2
                h21 += decision * d2
                let d1 = target - p
                g1 += decision * d1
                g2 += d1
            }
            if abs(g1) < 1e-5 && abs(g2) < 1e-5 { break }
            let determinant = h11 * h22 - h21 * h21
            let dA = -(h22 * g1 - h21 * g2) / determinant
            let dB = -(-h21 * g1 + h11 * g2) / determinant
            let slope = g1 * dA + g2 * dB
            var step = 1.0
            while step >= 1e-10 {
                let candidate = objective(a + step * dA, b + step * dB)
                if candidate < value + 1e-4 * step * slope {
                    a += step * dA
                    b += step * dB
                    value = candidate
                    break
                }
                step /= 2
            }
            if step < 1e-10 { break }
        }
        return PlattSigmoid(a: a, b: b)
    }
}

/// Multiclass probabilities from pairwise ones (Wu, Lin & Weng 2004, method 2; libsvm's
/// multiclass_probability). `pairwise[i][j]` is the probability that class i beats class j.
func coupledProbabilities(_ pairwise: [[Double]]) -> [Double] {
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
