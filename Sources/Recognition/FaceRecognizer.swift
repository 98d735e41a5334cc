public import Workers
public import ZMFaceCore

/// The one recognition pipeline: detect → size, pose and focus gates → encode → identify, for every face
/// in a region. `zmface detect`, `detect_faces` and ingestion all run it, so the same image and
/// settings give the same boxes, encodings, names and statuses everywhere. Runs on a worker thread
/// with that worker's models.
public struct FaceRecognizer: Sendable {
    public var settings: RecognitionSettings
    public var identifier: (any FaceIdentifier)?

    public init(settings: RecognitionSettings, identifier: (any FaceIdentifier)?) {
        self.settings = settings
        self.identifier = identifier
    }

    /// Recognises the faces in `region` of `image` (the whole image when nil). As the original did
    /// with a person box, the detector sees only the region; boxes come back in full-image pixels.
    public func recognize(_ image: RGBImage, in region: FaceBox? = nil, models: FaceModelSet) throws -> RegionReport {
        let whole = FaceBox(top: 0, right: image.width, bottom: image.height, left: 0)
        let region = region ?? whole
        // A whole frame is used as it is; only a smaller region is copied out.
        guard let roi = region == whole ? image : image.cropped(to: region) else { return .failed(.badROI) }
        var timings = StageTimings()
        let detections: [DetectedFace]
        (detections, timings.detect) = try Telemetry.Stage.detect.measure {
            try models.detectFaces(in: roi, detector: settings.detector, upsample: settings.upsample)
        }
        guard !detections.isEmpty else {
            var report = RegionReport.failed(.noFace)
            report.timings = timings
            return report
        }

        var faces: [FaceReport] = []
        faces.reserveCapacity(detections.count)
        for detection in detections {
            let face = try recognize(detection, in: roi, at: region, models: models, timings: &timings)
            Telemetry.faceFound(face.status)
            faces.append(face)
        }
        let recognized = faces.filter { $0.status == .recognized }
            .max { ($0.identification?.probability ?? 0) < ($1.identification?.probability ?? 0) }
        let best = recognized ?? faces.first { $0.status == .unknown }
        return RegionReport(status: best?.status ?? faces[0].status, faces: faces, best: best, timings: timings)
    }

    /// The largest face of a picture, through the same gates, encoder and classifier (training
    /// photos and `zmface compare` show one person each; a bystander's smaller face is left out).
    /// Returns nil when no face is found, and how many faces the detector saw.
    public func recognizeLargestFace(_ image: RGBImage, models: FaceModelSet) throws -> (
        face: FaceReport?, facesFound: Int
    ) {
        let (detections, _) = try Telemetry.Stage.detect.measure {
            try models.detectFaces(in: image, detector: settings.detector, upsample: settings.upsample)
        }
        guard let largest = detections.max(by: { $0.box.area < $1.box.area }) else { return (nil, 0) }
        var timings = StageTimings()
        let whole = FaceBox(top: 0, right: image.width, bottom: image.height, left: 0)
        let face = try recognize(largest, in: image, at: whole, models: models, timings: &timings)
        Telemetry.faceFound(face.status)
        return (face, detections.count)
    }

    /// One detected face through the gates, the encoder and the classifier. `roi` is the image the
    /// detector saw; `region` places it in the full image.
    private func recognize(
        _ detection: DetectedFace, in roi: RGBImage, at region: FaceBox, models: FaceModelSet,
        timings: inout StageTimings
    ) throws -> FaceReport {
        let inROI = detection.box
        var face = FaceReport(
            box: FaceBox(
                top: inROI.top + region.top, right: inROI.right + region.left,
                bottom: inROI.bottom + region.top, left: inROI.left + region.left),
            confidence: detection.confidence, focus: nil, yaw: nil, status: .unknown, identification: nil,
            encoding: nil)
        guard inROI.height >= settings.minFace, inROI.width >= settings.minFace else {
            face.status = .tooSmall
            return face
        }
        let landmarks = try models.landmarks(in: roi, box: inROI)
        let yaw = landmarks.yaw
        face.yaw = yaw
        guard abs(yaw) <= settings.maxYaw else {
            face.status = .sideFace
            return face
        }
        let (focus, focusSeconds) = Telemetry.Stage.focus.measure {
            FocusMeasure.varianceOfLaplacian(roi, in: inROI) ?? 0
        }
        timings.focus += focusSeconds
        face.focus = focus
        guard focus >= settings.focusThreshold else {
            face.status = .blurry
            return face
        }
        let (encoding, encodeSeconds) = try Telemetry.Stage.encode.measure {
            try models.encodeFace(in: roi, box: inROI, landmarks: landmarks, jitters: settings.jitters)
        }
        timings.encode += encodeSeconds
        face.encoding = encoding
        guard let identifier else { return face }
        let (identification, classifySeconds) = try Telemetry.Stage.classify.measure {
            try identifier.identify(encoding)
        }
        timings.classify += classifySeconds
        face.identification = identification
        face.status = identification.isRecognized ? .recognized : .unknown
        return face
    }
}
