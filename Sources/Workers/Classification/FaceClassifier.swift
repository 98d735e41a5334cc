public import ZMFaceCore

/// A loaded classifier, ready to name faces: the model plus its decoded reference encodings.
public struct FaceClassifier: FaceIdentifier {
    public let model: FaceClassifierModel
    private let references: [[Float]]

    public init(model: FaceClassifierModel) {
        self.model = model
        self.references = model.unpackedReferences()
    }

    public var classes: [String] { model.classes }

    /// Class probabilities in `classes` order.
    public func probabilities(_ encoding: FaceEncoding) throws(RecognitionError) -> [Double] {
        switch model.kind {
        case .svm:
            return model.svm!.probabilities(encoding.values, references: references, classCount: classes.count)
        case .knn:
            return model.knn!.probabilities(
                encoding.values, references: references, labels: model.referenceLabels, classCount: classes.count)
        case .xgboost:
            do {
                return try XGBoostRuntime.shared.probabilities(
                    model.xgboost!, encoding: encoding.values, classCount: classes.count)
            } catch {
                throw .classifierFailed(reason: error.description)
            }
        }
    }

    /// Distance to the nearest reference encoding of class `label`.
    public func nearestDistance(_ encoding: FaceEncoding, toClass label: Int) -> Double? {
        var best: Float?
        for (index, reference) in references.enumerated() where model.referenceLabels[index] == label {
            var squared: Float = 0
            for d in 0..<reference.count {
                let delta = reference[d] - encoding.values[d]
                squared += delta * delta
            }
            if best == nil || squared < best! { best = squared }
        }
        return best.map { Double($0).squareRoot() }
    }

    public func identify(_ encoding: FaceEncoding) throws(RecognitionError) -> Identification {
        try identify(encoding, rule: model.openSet)
    }

    /// The open-set decision with a given rule (evaluation sweeps the thresholds).
    public func identify(_ encoding: FaceEncoding, rule: FaceClassifierModel.OpenSetRule) throws(RecognitionError)
        -> Identification
    {
        decide(try score(encoding), rule: rule)
    }

    /// What the classifier says about an encoding before any open-set rule: everything a rule
    /// decides on, so calibration can try many rules on one scoring.
    public func score(_ encoding: FaceEncoding) throws(RecognitionError) -> FaceScore {
        let probabilities = try probabilities(encoding)
        let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
        let top = ranked[0]
        let probability = probabilities[top]
        return FaceScore(
            predicted: top, probability: probability,
            margin: probability - (ranked.count > 1 ? probabilities[ranked[1]] : 0),
            distance: nearestDistance(encoding, toClass: top))
    }

    /// The open-set rule applied to a score. The trained stranger class answers as the original did
    /// ("Unknown"), gated on probability and margin only: its photos are not the person it names.
    public func decide(_ score: FaceScore, rule: FaceClassifierModel.OpenSetRule) -> Identification {
        let isStrangerClass = classes[score.predicted] == rule.unknownClass
        return Identification(
            name: rule.accepts(score, strangerClass: isStrangerClass) ? classes[score.predicted] : nil,
            probability: score.probability, distance: score.distance, margin: score.margin,
            isStranger: isStrangerClass)
    }
}

/// A classifier's answer for one encoding: the most probable class, its probability, its margin
/// over the runner-up, and the distance to that class's nearest training encoding.
public struct FaceScore: Sendable, Equatable {
    public var predicted: Int
    public var probability: Double
    public var margin: Double
    public var distance: Double?

    public init(predicted: Int, probability: Double, margin: Double, distance: Double?) {
        self.predicted = predicted
        self.probability = probability
        self.margin = margin
        self.distance = distance
    }
}

extension FaceClassifierModel.OpenSetRule {
    /// Whether the rule lets a score through (`strangerClass`: the score names the stranger class,
    /// which has no distance gate).
    public func accepts(_ score: FaceScore, strangerClass: Bool) -> Bool {
        score.probability >= minProba && score.margin >= minMargin
            && (strangerClass || (score.distance ?? .infinity) <= maxDistance)
    }
}
