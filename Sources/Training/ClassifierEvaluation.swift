import Foundation
public import Workers
import ZMFaceCore

/// How a classifier does on labelled encodings: the original's numbers (accuracy, per-class
/// precision/recall/F1, confusion matrix, all on argmax decisions) plus what the original never
/// measured: accuracy, coverage and stranger acceptance of the open-set rule across thresholds.
public struct ClassifierEvaluation: Sendable, Codable {
    public struct ClassScore: Sendable, Codable {
        public var name: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    /// The open-set rule at one minProba.
    public struct OperatingPoint: Sendable, Codable {
        public var minProba: Double
        /// Of the known people's faces that were named, the share named correctly.
        public var accuracy: Double
        /// Share of known people's faces that were named at all.
        public var coverage: Double
        /// Share of strangers' faces named as one of the known people.
        public var strangerAcceptance: Double
    }

    /// Row: true class; column: predicted class (argmax), in `classes` order.
    public var classes: [String]
    public var confusion: [[Int]]
    public var accuracy: Double
    public var perClass: [ClassScore]
    public var sweep: [OperatingPoint]
    public var deployed: OperatingPoint
    /// Samples whose label is not a class of the model; counted as strangers.
    public var foreignSamples: Int

    public static func evaluate(
        _ classifier: FaceClassifier, on data: LabelledEncodings,
        thresholds: [Double] = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99]
    ) throws(RecognitionError) -> ClassifierEvaluation {
        let classes = classifier.classes
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let truth: [Int?] = data.labels.map { index[data.classes[$0]] }
        let unknownClass = classifier.model.openSet.unknownClass
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        var correct = 0
        var inModel = 0
        var probabilities: [[Double]] = []
        for encoding in data.encodings { probabilities.append(try classifier.probabilities(encoding)) }
        for (sample, probs) in probabilities.enumerated() {
            guard let actual = truth[sample] else { continue }
            let predicted = probs.indices.max { probs[$0] < probs[$1] }!
            confusion[actual][predicted] += 1
            inModel += 1
            if predicted == actual { correct += 1 }
        }
        let perClass = classes.indices.map { c -> ClassScore in
            let truePositive = Double(confusion[c][c])
            let predicted = Double(confusion.map { $0[c] }.reduce(0, +))
            let actual = Double(confusion[c].reduce(0, +))
            let precision = predicted > 0 ? truePositive / predicted : 0
            let recall = actual > 0 ? truePositive / actual : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return ClassScore(name: classes[c], precision: precision, recall: recall, f1: f1, support: Int(actual))
        }

        func point(_ minProba: Double) throws(RecognitionError) -> OperatingPoint {
            var rule = classifier.model.openSet
            rule.minProba = minProba
            var known = 0
            var named = 0
            var namedCorrectly = 0
            var strangers = 0
            var strangersNamed = 0
            for sample in data.encodings.indices {
                let identification = try classifier.identify(data.encodings[sample], rule: rule)
                let actual = truth[sample].map { classes[$0] }
                if actual == nil || actual == unknownClass {
                    strangers += 1
                    if identification.isRecognized { strangersNamed += 1 }
                } else {
                    known += 1
                    if identification.isRecognized {
                        named += 1
                        if identification.name == actual { namedCorrectly += 1 }
                    }
                }
            }
            return OperatingPoint(
                minProba: minProba, accuracy: named > 0 ? Double(namedCorrectly) / Double(named) : 0,
                coverage: known > 0 ? Double(named) / Double(known) : 0,
                strangerAcceptance: strangers > 0 ? Double(strangersNamed) / Double(strangers) : 0)
        }

        return ClassifierEvaluation(
            classes: classes, confusion: confusion, accuracy: inModel > 0 ? Double(correct) / Double(inModel) : 0,
            perClass: perClass, sweep: try thresholds.map(point),
            deployed: try point(classifier.model.openSet.minProba),
            foreignSamples: truth.filter { $0 == nil }.count)
    }

    /// The report printed by `zmface train` and `zmface evaluate`.
    public var text: String {
        var lines: [String] = []
        let width = max(12, (classes.map(\.count).max() ?? 0) + 2)
        func pad(_ text: String, _ length: Int) -> String {
            text.count >= length ? text : String(repeating: " ", count: length - text.count) + text
        }
        func left(_ text: String) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        lines.append(left("class") + pad("precision", 10) + pad("recall", 8) + pad("f1", 8) + pad("support", 9))
        for score in perClass {
            lines.append(
                left(score.name) + pad(String(format: "%.3f", score.precision), 10)
                    + pad(String(format: "%.3f", score.recall), 8)
                    + pad(String(format: "%.3f", score.f1), 8) + pad("\(score.support)", 9))
        }
        lines.append(left("accuracy") + pad(String(format: "%.3f", accuracy), 34))
        lines.append("")
        lines.append("confusion matrix (rows: true, columns: predicted)")
        lines.append(left("") + classes.map { pad(String($0.prefix(10)), 11) }.joined())
        for (row, name) in classes.enumerated() {
            lines.append(left(name) + confusion[row].map { pad("\($0)", 11) }.joined())
        }
        lines.append("")
        lines.append("open-set rule by minProba (maxDistance and minMargin as in the model)")
        lines.append(pad("minProba", 9) + pad("accuracy", 10) + pad("coverage", 10) + pad("strangers accepted", 20))
        let points =
            sweep.contains { $0.minProba == deployed.minProba }
            ? sweep : (sweep + [deployed]).sorted { $0.minProba < $1.minProba }
        for point in points {
            let marker = point.minProba == deployed.minProba ? "  <- deployed" : ""
            lines.append(
                pad(String(format: "%.2f", point.minProba), 9) + pad(String(format: "%.3f", point.accuracy), 10)
                    + pad(String(format: "%.3f", point.coverage), 10)
                    + pad(String(format: "%.3f", point.strangerAcceptance), 20)
                    + marker)
        }
        if foreignSamples > 0 {
            lines.append("(\(foreignSamples) samples of identities unknown to the model counted as strangers)")
        }
        return lines.joined(separator: "\n")
    }

    /// The row-normalised confusion matrix as an SVG picture (like the original's svm-cm.png).
    public var svg: String {
        let cell = 64
        let margin = 140
        let size = margin + cell * classes.count
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(size + 20)\" height=\"\(size + 20)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<text x=\"\(margin)\" y=\"20\">confusion matrix (row-normalised; rows true, columns predicted)</text>\n"
        for (row, counts) in confusion.enumerated() {
            let total = max(1, counts.reduce(0, +))
            out +=
                "<text x=\"\(margin - 6)\" y=\"\(margin + row * cell + cell / 2 + 4)\" text-anchor=\"end\">\(Self.escape(classes[row]))</text>\n"
            for (column, count) in counts.enumerated() {
                let share = Double(count) / Double(total)
                let shade = Int(255 - share * 200)
                let x = margin + column * cell
                let y = margin + row * cell
                out +=
                    "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),255)\" stroke=\"#fff\"/>\n"
                out +=
                    "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" fill=\"\(share > 0.5 ? "#fff" : "#000")\">\(String(format: "%.2f", share))</text>\n"
            }
        }
        for (column, name) in classes.enumerated() {
            let x = margin + column * cell + cell / 2
            out +=
                "<text x=\"\(x)\" y=\"\(margin - 8)\" text-anchor=\"start\" transform=\"rotate(-45 \(x) \(margin - 8))\">\(Self.escape(name))</text>\n"
        }
        return out + "</svg>\n"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
