public import Workers

/// The recognition knobs of the original's `faceDetServer` section, with its meanings.
public struct RecognitionSettings: Sendable, Equatable {
    /// Beyond a three-quarter view. On the recognition test set (110 faces, README *Training*) the
    /// median turn is 0.05 and the largest 0.39; 0.35 removes the two most turned faces, both
    /// strangers', and none of the 76 photos of known people (a three-quarter view at 0.30 is
    /// still named right).
    public static let defaultMaxYaw = 0.35

    public var detector: DetectorKind
    /// `numFaceImgUpsample`.
    public var upsample: Int
    /// `minFace`: minimum face height and width in pixels; 0 gates nothing.
    public var minFace: Int
    /// `focusMeasureThreshold`: minimum variance of the Laplacian; 0 gates nothing.
    public var focusThreshold: Double
    /// Largest head turn (`FaceLandmarks.yaw`, in eye distances) let through; infinity gates nothing.
    public var maxYaw: Double
    /// `numJitters`.
    public var jitters: Int

    public init(
        detector: DetectorKind = .hog, upsample: Int = 1, minFace: Int = 20, focusThreshold: Double = 200,
        maxYaw: Double = RecognitionSettings.defaultMaxYaw, jitters: Int = 1
    ) {
        self.maxYaw = maxYaw
        self.detector = detector
        self.upsample = upsample
        self.minFace = minFace
        self.focusThreshold = focusThreshold
        self.jitters = jitters
    }
}
