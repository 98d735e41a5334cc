import Foundation
public import Workers
import ZMFaceCore

/// Chooses a model's open-set rule (minProba, maxDistance, minMargin) from its own training data,
/// so a default model names people out of the box. The faces it judges by are never ones the
/// scoring model was fitted on:
/// - out-of-fold: each known face scored by a model trained without it (stratified k-fold);
/// - strangers: each person in turn left out of training entirely, their faces scored as a
///   stranger's (leave-one-person-out), plus the trained stranger class's own faces.
/// The rule names the most known faces correctly while naming at most the target share of
/// strangers; its figures are stored in the model (`OperatingPointEstimate`).
public enum OpenSetCalibration {
    /// One judged face: who it really is (nil: a stranger to the scoring model) and the score.
    public struct Sample: Sendable {
        public var truth: String?
        public var predicted: String
        public var predictedStrangerClass: Bool
        public var score: FaceScore

        /// Whether `rule` names this face as a person (the stranger class is never a name).
        func isNamed(by rule: FaceClassifierModel.OpenSetRule) -> Bool {
            !predictedStrangerClass && rule.accepts(score, strangerClass: false)
        }
    }

    /// What the samples are: faces judged by models trained without them (`train`, `evaluate
    /// --folds`), or separate labelled photos judged by the fitted model (`calibrate`).
    public enum Basis: String, Sendable {
        case crossValidation = "cross-validation"
        case separateData = "separate data"

        /// How the known faces were judged, and who the strangers are, for the report.
        var knownFaces: String {
            switch self {
            case .crossValidation: "each judged by a model trained without it"
            case .separateData: "photos the model was not trained on"
            }
        }

        var strangers: String {
            switch self {
            case .crossValidation: "people left out of training in turn, and the stranger class"
            case .separateData: "people the model does not know, and the stranger class"
            }
        }
    }

    /// What a rule does to the samples.
    public struct Outcome: Sendable, Equatable {
        public var knownFaces = 0
        public var namedCorrectly = 0
        public var namedWrongly = 0
        public var strangerFaces = 0
        public var strangersNamed = 0

        public var correctShare: Double { knownFaces > 0 ? Double(namedCorrectly) / Double(knownFaces) : 0 }
        public var wrongShare: Double { knownFaces > 0 ? Double(namedWrongly) / Double(knownFaces) : 0 }
        public var strangerShare: Double { strangerFaces > 0 ? Double(strangersNamed) / Double(strangerFaces) : 0 }
    }

    /// The thresholds on the command line; nil ones are chosen.
    public struct Fixed: Sendable {
        public var minProba: Double?
        public var maxDistance: Double?
        public var minMargin: Double?

        public init(minProba: Double? = nil, maxDistance: Double? = nil, minMargin: Double? = nil) {
            self.minProba = minProba
            self.maxDistance = maxDistance
            self.minMargin = minMargin
        }

        var isComplete: Bool { minProba != nil && maxDistance != nil && minMargin != nil }
    }

    /// The chosen rule and its estimate, plus per-person figures for the report.
    public struct Result: Sendable {
        public var rule: FaceClassifierModel.OpenSetRule
        public var estimate: OperatingPointEstimate
        /// Known faces per person at the chosen rule: (photos judged, named correctly).
        public var perPerson: [(name: String, faces: Int, namedCorrectly: Int)]
    }

    /// dlib's same-person distance, the rule when there is too little data to estimate one.
    public static let fallbackDistance = 0.6
    /// At most this many leave-one-person-out rounds (spread over the people, by name order).
    public static let maxStrangerRounds = 24

    static let minProbaGrid = (0...19).map { Double($0) * 0.05 }
    static let maxDistanceGrid = (0...20).map { 0.36 + Double($0) * 0.02 }
    static let minMarginGrid = [0, 0.05, 0.1, 0.15, 0.2, 0.3]

    /// Scores `data` as described above with `candidate` (the searched hyper-parameters) and
    /// chooses the rule. Falls back to the distance rule when fewer than 3 people have 3 photos or
    /// more (people with fewer still take part, and show up as weak in the report).
    public static func calibrate(
        _ data: LabelledEncodings, candidate: Candidate, options: TrainingOptions, target: Double,
        fixed: Fixed = Fixed(), progress: @Sendable (String) -> Void = { _ in }
    ) throws -> Result {
        let unknownClass = options.openSet.unknownClass
        let counts = data.counts()
        let people = data.classes.indices.filter { data.classes[$0] != unknownClass }
        let estimable = people.filter { counts[$0] >= 3 }.count
        var rule = options.openSet
        if fixed.isComplete || estimable < 3 {
            rule.minProba = fixed.minProba ?? 0
            rule.maxDistance = fixed.maxDistance ?? fallbackDistance
            rule.minMargin = fixed.minMargin ?? 0
            let note =
                fixed.isComplete
                ? "thresholds given on the command line"
                : "too little data to estimate a rule (\(estimable) of \(people.count) people have 3 photos or more; "
                    + "3 such people needed): dlib's distance rule, \(fallbackDistance)"
            return Result(
                rule: rule,
                estimate: OperatingPointEstimate(
                    method: fixed.isComplete ? "explicit" : "fallback", note: note, targetStrangerAcceptance: target,
                    knownFaces: 0, strangerFaces: 0, namedCorrectly: 0, namedWrongly: 0, notNamed: 0,
                    strangersNamed: 0, byMinProba: []),
                perPerson: [])
        }
        let samples = try judge(data, candidate: candidate, options: options, progress: progress)
        return choose(samples, base: rule, target: target, fixed: fixed, people: people.map { data.classes[$0] })
    }

    /// The out-of-fold and leave-one-person-out samples.
    public static func judge(
        _ data: LabelledEncodings, candidate: Candidate, options: TrainingOptions,
        progress: @Sendable (String) -> Void
    ) throws -> [Sample] {
        let unknownClass = options.openSet.unknownClass
        var samples: [Sample] = []
        // Every person's photos are spread over the folds, so each training part keeps all but about
        // 1/k of them (at least one: a class has 2 or more); a person with fewer photos than folds
        // simply has some folds without a held-out photo.
        let folds = max(2, min(options.folds, data.counts().max() ?? 2))
        for (index, test) in data.stratifiedFolds(folds, seed: options.seed).enumerated() where !test.isEmpty {
            let testSet = Set(test)
            let training = data.subset((0..<data.count).filter { !testSet.contains($0) })
            let classifier = FaceClassifier(
                model: try ClassifierTraining.fit(training, candidate: candidate, options: options))
            for sample in test {
                let name = data.classes[data.labels[sample]]
                samples.append(
                    try judged(
                        data.encodings[sample], truth: name == unknownClass ? nil : name, by: classifier,
                        unknownClass: unknownClass))
            }
            progress("calibration: fold \(index + 1) of \(folds)")
        }
        let people = data.classes.indices.filter { data.classes[$0] != unknownClass }
        let step = max(1, Int((Double(people.count) / Double(maxStrangerRounds)).rounded(.up)))
        for left in stride(from: 0, to: people.count, by: step).map({ people[$0] }) {
            let remaining = data.labels.indices.filter { data.labels[$0] != left }
            let others = LabelledEncodings(
                encodings: remaining.map { data.encodings[$0] }, names: remaining.map { data.classes[data.labels[$0]] })
            guard others.classes.count >= 2 else { continue }
            let classifier = FaceClassifier(
                model: try ClassifierTraining.fit(others, candidate: candidate, options: options))
            for sample in data.labels.indices where data.labels[sample] == left {
                samples.append(
                    try judged(data.encodings[sample], truth: nil, by: classifier, unknownClass: unknownClass))
            }
            progress("calibration: \(data.classes[left]) left out")
        }
        return samples
    }

    private static func judged(
        _ encoding: FaceEncoding, truth: String?, by classifier: FaceClassifier, unknownClass: String?
    ) throws -> Sample {
        let score = try classifier.score(encoding)
        let predicted = classifier.classes[score.predicted]
        return Sample(
            truth: truth, predicted: predicted, predictedStrangerClass: predicted == unknownClass, score: score)
    }

    /// What `rule` does to `samples`.
    public static func outcome(_ samples: [Sample], rule: FaceClassifierModel.OpenSetRule) -> Outcome {
        var outcome = Outcome()
        for sample in samples {
            let named = sample.isNamed(by: rule)
            if let truth = sample.truth {
                outcome.knownFaces += 1
                if named { sample.predicted == truth ? (outcome.namedCorrectly += 1) : (outcome.namedWrongly += 1) }
            } else {
                outcome.strangerFaces += 1
                if named { outcome.strangersNamed += 1 }
            }
        }
        return outcome
    }

    /// The rule on the grid (thresholds in `fixed` held) that names the most known faces
    /// correctly with at most `target` of the strangers named, then the fewest wrongly; of the band
    /// of rules that do equally well, its middle (below). With no rule under the target, the
    /// strictest on the grid.
    public static func choose(
        _ samples: [Sample], base: FaceClassifierModel.OpenSetRule, target: Double, fixed: Fixed = Fixed(),
        people: [String], basis: Basis = .crossValidation
    ) -> Result {
        var tied: [(rule: FaceClassifierModel.OpenSetRule, outcome: Outcome)] = []
        let strictest = FaceClassifierModel.OpenSetRule(
            minProba: fixed.minProba ?? minProbaGrid.last!, maxDistance: fixed.maxDistance ?? maxDistanceGrid.first!,
            minMargin: fixed.minMargin ?? minMarginGrid.last!, unknownClass: base.unknownClass)
        for maxDistance in fixed.maxDistance.map({ [$0] }) ?? maxDistanceGrid {
            for minMargin in fixed.minMargin.map({ [$0] }) ?? minMarginGrid {
                for minProba in fixed.minProba.map({ [$0] }) ?? minProbaGrid {
                    let rule = FaceClassifierModel.OpenSetRule(
                        minProba: minProba, maxDistance: maxDistance, minMargin: minMargin,
                        unknownClass: base.unknownClass)
                    let outcome = outcome(samples, rule: rule)
                    guard outcome.strangerShare <= target + 1e-12 else { continue }
                    if let current = tied.first {
                        let a = (outcome.namedCorrectly, -outcome.namedWrongly, -outcome.strangersNamed)
                        let b = (
                            current.outcome.namedCorrectly, -current.outcome.namedWrongly,
                            -current.outcome.strangersNamed
                        )
                        if a < b { continue }
                        if a > b { tied.removeAll() }
                    }
                    tied.append((rule, outcome))
                }
            }
        }
        // Many rules usually do equally well on these samples: a band of distances and
        // probabilities between the last known face let in and the first stranger kept out. The
        // middle of that band (median distance, then probability, then margin) leaves room on both
        // sides for faces unlike any seen here; an edge would turn away the next photo that is a
        // little further off, or let in the next stranger a little closer.
        tied.sort {
            ($0.rule.maxDistance, $0.rule.minProba, $0.rule.minMargin)
                < ($1.rule.maxDistance, $1.rule.minProba, $1.rule.minMargin)
        }
        let best = tied.isEmpty ? nil : tied[tied.count / 2]
        let chosen = best ?? (strictest, outcome(samples, rule: strictest))
        let note =
            best == nil
            ? "no rule on the grid names at most \(percent(target)) of strangers; the strictest one is used"
            : "chosen for at most \(percent(target)) of strangers named, on \(basis.rawValue)"
        return result(
            samples, rule: chosen.rule, basis: basis, note: note, target: target, people: people,
            minProbas: fixed.minProba.map { [$0] } ?? minProbaGrid)
    }

    /// How the rule `options.openSet` does on `data` by cross-validation, as `train` estimates it
    /// (for `zmface evaluate --folds`).
    public static func crossValidate(
        _ data: LabelledEncodings, candidate: Candidate, options: TrainingOptions,
        progress: @Sendable (String) -> Void = { _ in }
    ) throws -> Result {
        let samples = try judge(data, candidate: candidate, options: options, progress: progress)
        let people = data.classes.filter { $0 != options.openSet.unknownClass }
        return result(
            samples, rule: options.openSet, basis: .crossValidation,
            note: "the model's rule, estimated by \(options.folds)-fold cross-validation", target: 0, people: people,
            minProbas: minProbaGrid)
    }

    /// Samples judged by an already fitted model: faces of its own people are known, everyone else
    /// (and its stranger class) is a stranger (for `zmface calibrate` on separate data).
    public static func judge(_ data: LabelledEncodings, by classifier: FaceClassifier) throws -> [Sample] {
        let unknownClass = classifier.model.openSet.unknownClass
        return try data.labels.indices.map { sample in
            let name = data.classes[data.labels[sample]]
            let known = name != unknownClass && classifier.classes.contains(name)
            return try judged(
                data.encodings[sample], truth: known ? name : nil, by: classifier, unknownClass: unknownClass)
        }
    }

    private static func result(
        _ samples: [Sample], rule: FaceClassifierModel.OpenSetRule, basis: Basis, note: String, target: Double,
        people: [String], minProbas: [Double]
    ) -> Result {
        let curve = minProbas.map { minProba -> OperatingPointEstimate.Point in
            var other = rule
            other.minProba = minProba
            let outcome = outcome(samples, rule: other)
            return .init(
                minProba: minProba, namedCorrectly: outcome.correctShare, strangersNamed: outcome.strangerShare)
        }
        let o = outcome(samples, rule: rule)
        let perPerson = people.map { person in
            let own = samples.filter { $0.truth == person }
            let correct = own.filter { $0.predicted == person && $0.isNamed(by: rule) }
            return (name: person, faces: own.count, namedCorrectly: correct.count)
        }
        return Result(
            rule: rule,
            estimate: OperatingPointEstimate(
                method: basis.rawValue, note: note, targetStrangerAcceptance: target, knownFaces: o.knownFaces,
                strangerFaces: o.strangerFaces, namedCorrectly: o.correctShare, namedWrongly: o.wrongShare,
                notNamed: o.knownFaces > 0 ? 1 - o.correctShare - o.wrongShare : 0, strangersNamed: o.strangerShare,
                byMinProba: curve),
            perPerson: perPerson)
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f %%", share * 100) }
}

extension OpenSetCalibration.Result {
    /// What a user needs first: the rule, what it is expected to do, and who needs more photos.
    public var summary: String {
        let e = estimate
        var lines = [
            String(
                format: "open-set rule: minProba %.2f, maxDistance %.2f, minMargin %.2f", rule.minProba,
                rule.maxDistance,
                rule.minMargin) + " (\(e.note))"
        ]
        guard e.knownFaces > 0 else { return lines.joined(separator: "\n") }
        let basis = OpenSetCalibration.Basis(rawValue: e.method) ?? .crossValidation
        lines.append(
            "estimated on \(e.knownFaces) faces of \(perPerson.count) known people, \(basis.knownFaces), "
                + "and \(e.strangerFaces) faces of strangers (\(basis.strangers)):")
        lines.append("  known faces named correctly  \(OpenSetCalibration.percent(e.namedCorrectly))")
        lines.append("  known faces named wrongly    \(OpenSetCalibration.percent(e.namedWrongly))")
        lines.append("  known faces not named        \(OpenSetCalibration.percent(e.notNamed))")
        lines.append("  strangers named              \(OpenSetCalibration.percent(e.strangersNamed))")
        let ranked = perPerson.filter { $0.faces > 0 }.sorted {
            Double($0.namedCorrectly) / Double($0.faces) < Double($1.namedCorrectly) / Double($1.faces)
        }
        lines.append("per person, named correctly (the weakest first; more photos of them help):")
        let width = max(12, (ranked.map(\.name.count).max() ?? 0) + 2)
        for person in ranked.prefix(15) {
            lines.append(
                "  " + person.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + "\(person.namedCorrectly) of \(person.faces)"
                    + String(format: "  (%.0f %%)", 100 * Double(person.namedCorrectly) / Double(person.faces)))
        }
        if ranked.count > 15 { lines.append("  … and \(ranked.count - 15) more") }
        return lines.joined(separator: "\n")
    }
}
