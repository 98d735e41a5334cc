import Foundation
import Workers

extension PlattSigmoid {
    /// Fits A and B to decision values by Newton's method with backtracking (Lin, Lin & Weng 2007).
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
