public import Workers

/// The recognition knobs of the original's `faceDetServer` section, with its meanings.
public struct RecognitionSettings: Sendable, Equatable {
    public var detector: DetectorKind
    /// `numFaceImgUpsample`.
    public var upsample: Int
    /// `minFace`: minimum face height and width in pixels; 0 gates nothing.
    public var minFace: Int
    /// `focusMeasureThreshold`: minimum variance of the Laplacian; 0 gates nothing.
    public var focusThreshold: Double
    /// `numJitters`.
    public var jitters: Int

    public init(
        detector: DetectorKind = .hog, upsample: Int = 1, minFace: Int = 20, focusThreshold: Double = 200,
        jitters: Int = 1
    ) {
        self.detector = detector
        self.upsample = upsample
        self.minFace = minFace
        self.focusThreshold = focusThreshold
        self.jitters = jitters
    }
}
