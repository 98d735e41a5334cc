public import ZMFaceCore

/// What a classifier says about one face encoding. `name` is nil when the open-set rule rejects it
/// (a stranger, or not confident enough).
public struct Identification: Sendable, Equatable {
    public var name: String?
    /// The top class probability.
    public var probability: Double
    /// Distance to the nearest known encoding of the chosen identity, when the model keeps encodings.
    public var distance: Double?
    /// Probability margin over the runner-up.
    public var margin: Double?
    /// The name is the trained stranger class ("Unknown"), not a person.
    public var isStranger: Bool

    public init(
        name: String?, probability: Double, distance: Double? = nil, margin: Double? = nil, isStranger: Bool = false
    ) {
        self.name = name
        self.probability = probability
        self.distance = distance
        self.margin = margin
        self.isStranger = isStranger
    }

    /// A person was named (not rejected, not the stranger class).
    public var isRecognized: Bool { name != nil && !isStranger }
}

/// Names faces from their encodings: the trained classifier behind "who is this". Throws
/// `RecognitionError.classifierFailed` when the encoding cannot be scored: a face is never passed
/// off as unknown because the classifier broke.
public protocol FaceIdentifier: Sendable {
    func identify(_ encoding: FaceEncoding) throws(RecognitionError) -> Identification
}
