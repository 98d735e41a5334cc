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
        let probabilities = try probabilities(encoding)
        let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
        let top = ranked[0]
        let probability = probabilities[top]
        let margin = probability - (ranked.count > 1 ? probabilities[ranked[1]] : 0)
        let distance = nearestDistance(encoding, toClass: top)
        let isStrangerClass = classes[top] == rule.unknownClass
        // The trained stranger class answers as the original did ("Unknown"), gated on probability only.
        let accepted =
            probability >= rule.minProba && margin >= rule.minMargin
            && (isStrangerClass || (distance ?? .infinity) <= rule.maxDistance)
        return Identification(
            name: accepted ? classes[top] : nil, probability: probability, distance: distance, margin: margin,
            isStranger: isStrangerClass)
    }
}
