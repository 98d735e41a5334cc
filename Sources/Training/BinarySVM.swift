import Foundation
import Workers

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
