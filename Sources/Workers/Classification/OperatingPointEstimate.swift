/// How the model's open-set rule was chosen and what it is expected to do, stored in the model file
/// (`calibration`): figures estimated by `zmface train` from out-of-fold predictions and
/// leave-one-person-out rounds, never from the photos the model was fitted on.
public struct OperatingPointEstimate: Codable, Sendable, Equatable {
    /// `cross-validation` (chosen from the training data), `separate data` (chosen by `zmface
    /// calibrate`), `fallback` (too little data: dlib's distance rule) or `explicit` (every
    /// threshold given on the command line).
    public var method: String
    /// Why, in words (shown by `train` and `serve --check`).
    public var note: String
    public var targetStrangerAcceptance: Double
    /// Faces of known people, and of strangers, the figures were estimated on.
    public var knownFaces: Int
    public var strangerFaces: Int
    /// Shares of the known faces: named as the right person, as another person, not named.
    public var namedCorrectly: Double
    public var namedWrongly: Double
    public var notNamed: Double
    /// Share of the strangers' faces named as a known person.
    public var strangersNamed: Double
    /// The same estimate at other minProba values (maxDistance and minMargin as chosen), so a
    /// server configured with its own minProba can say what that costs.
    public var byMinProba: [Point]

    public struct Point: Codable, Sendable, Equatable {
        public var minProba: Double
        public var namedCorrectly: Double
        public var strangersNamed: Double

        public init(minProba: Double, namedCorrectly: Double, strangersNamed: Double) {
            self.minProba = minProba
            self.namedCorrectly = namedCorrectly
            self.strangersNamed = strangersNamed
        }
    }

    public init(
        method: String, note: String, targetStrangerAcceptance: Double, knownFaces: Int, strangerFaces: Int,
        namedCorrectly: Double, namedWrongly: Double, notNamed: Double, strangersNamed: Double, byMinProba: [Point]
    ) {
        self.method = method
        self.note = note
        self.targetStrangerAcceptance = targetStrangerAcceptance
        self.knownFaces = knownFaces
        self.strangerFaces = strangerFaces
        self.namedCorrectly = namedCorrectly
        self.namedWrongly = namedWrongly
        self.notNamed = notNamed
        self.strangersNamed = strangersNamed
        self.byMinProba = byMinProba
    }

    /// The estimated share of known faces named correctly with `minProba` in place of the model's
    /// (the nearest estimated point at or below it); nil without estimates.
    public func namedCorrectly(atMinProba minProba: Double) -> Double? {
        byMinProba.filter { $0.minProba <= minProba + 1e-9 }.max { $0.minProba < $1.minProba }?.namedCorrectly
    }
}
