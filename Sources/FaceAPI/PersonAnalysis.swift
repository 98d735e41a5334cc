import Dispatch
import Metrics
import Workers
import ZMFaceCore

/// One face found in a person box, with the gates it passed and what the classifier said.
struct FaceReport: Sendable {
    /// In full-image pixels (top, right, bottom, left).
    var box: FaceBox
    var confidence: Double
    var focus: Double?
    var status: FaceStatus
    var identification: Identification?
    /// Set when the face passed the gates and was encoded.
    var encoding: FaceEncoding? = nil
}

/// Everything found for one person label.
struct PersonReport: Sendable {
    var status: FaceStatus
    var faces: [FaceReport]
    /// The face that answers `face`/`faceProba`: the most probable recognised face, else the first
    /// face that passed the gates.
    var best: FaceReport?

    static func failed(_ status: FaceStatus) -> PersonReport {
        PersonReport(status: status, faces: [], best: nil)
    }
}

/// The original's per-label steps (cut the person ROI, detect, size gate, blur gate, encode,
/// classify), applied to every face in the ROI instead of only the first. Runs on a worker thread
/// with that worker's models.
enum PersonAnalysis {
    static func analyze(
        _ image: RGBImage, region: FaceBox, models: FaceModelSet, settings: RecognitionSettings,
        identifier: (any FaceIdentifier)?
    ) throws -> PersonReport {
        guard let roi = image.cropped(to: region) else { return .failed(.badROI) }
        let detections = try StageTimer.detect.measure {
            try models.detectFaces(in: roi, detector: settings.detector, upsample: settings.upsample)
        }
        guard !detections.isEmpty else { return .failed(.noFace) }

        var faces: [FaceReport] = []
        for detection in detections {
            let inROI = detection.box
            var report = FaceReport(
                box: FaceBox(
                    top: inROI.top + region.top, right: inROI.right + region.left,
                    bottom: inROI.bottom + region.top, left: inROI.left + region.left),
                confidence: detection.confidence, focus: nil, status: .unknown, identification: nil)
            if inROI.height < settings.minFace || inROI.width < settings.minFace {
                report.status = .tooSmall
            } else {
                let focus = FocusMeasure.varianceOfLaplacian(roi, in: inROI) ?? 0
                report.focus = focus
                if focus < settings.focusThreshold {
                    report.status = .blurry
                } else {
                    let encoding = try StageTimer.encode.measure {
                        try models.encodeFace(in: roi, box: inROI, jitters: settings.jitters)
                    }
                    let identification = identifier.map { identifier in
                        StageTimer.classify.measure { identifier.identify(encoding) }
                    }
                    report.identification = identification
                    report.encoding = encoding
                    report.status = identification?.isRecognized == true ? .recognized : .unknown
                }
            }
            faces.append(report)
            Counter(label: "zmface_faces_total", dimensions: [("status", report.status.rawValue)]).increment()
        }
        let recognized = faces.filter { $0.status == .recognized }
            .max { ($0.identification?.probability ?? 0) < ($1.identification?.probability ?? 0) }
        let best = recognized ?? faces.first { $0.status == .unknown }
        return PersonReport(status: best?.status ?? faces[0].status, faces: faces, best: best)
    }
}

/// Per-stage latency histograms (`zmface_stage_duration_seconds{stage=…}`).
enum StageTimer: String {
    case decode, detect, encode, classify

    func measure<Result>(_ body: () throws -> Result) rethrows -> Result {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            Metrics.Timer(label: "zmface_stage_duration_seconds", dimensions: [("stage", rawValue)])
                .recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
        }
        return try body()
    }
}
