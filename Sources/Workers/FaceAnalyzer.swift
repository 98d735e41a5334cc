public import ZMFaceCore

/// How to look for faces: detector, upsampling and jitter, as in the original's configuration.
public struct AnalysisOptions: Sendable, Equatable {
    public var detector: DetectorKind
    public var upsample: Int
    public var jitters: Int

    public init(detector: DetectorKind = .hog, upsample: Int = 1, jitters: Int = 1) {
        self.detector = detector
        self.upsample = upsample
        self.jitters = jitters
    }
}

/// One face found in a picture, with everything later stages gate and classify on.
public struct AnalyzedFace: Sendable {
    public let box: FaceBox
    public let confidence: Double
    /// Variance of the Laplacian of the grey face crop; higher is sharper.
    public let focus: Double
    public let encoding: FaceEncoding
}

/// Wall time spent in each stage of one analysis, in seconds.
public struct StageTimings: Sendable, Equatable {
    public var detect: Double = 0
    public var encode: Double = 0
    public var focus: Double = 0

    public init() {}
}

public struct FrameAnalysis: Sendable {
    public let width: Int
    public let height: Int
    public let faces: [AnalyzedFace]
    public let timings: StageTimings
}

/// Detect → focus → encode for every face in a picture, on the caller's thread with the caller's
/// model set.
public struct FaceAnalyzer {
    public let models: FaceModelSet

    public init(models: FaceModelSet) {
        self.models = models
    }

    public func analyze(_ image: RGBImage, options: AnalysisOptions) throws(RecognitionError) -> FrameAnalysis {
        let clock = ContinuousClock()
        var timings = StageTimings()
        var start = clock.now
        let detections = try models.detectFaces(in: image, detector: options.detector, upsample: options.upsample)
        timings.detect = (clock.now - start).seconds

        var faces: [AnalyzedFace] = []
        faces.reserveCapacity(detections.count)
        for detection in detections {
            start = clock.now
            let focus = FocusMeasure.varianceOfLaplacian(image, in: detection.box) ?? 0
            timings.focus += (clock.now - start).seconds
            start = clock.now
            let encoding = try models.encodeFace(in: image, box: detection.box, jitters: options.jitters)
            timings.encode += (clock.now - start).seconds
            faces.append(
                AnalyzedFace(box: detection.box, confidence: detection.confidence, focus: focus, encoding: encoding))
        }
        return FrameAnalysis(width: image.width, height: image.height, faces: faces, timings: timings)
    }
}

extension Duration {
    /// The duration as fractional seconds.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
