internal import CDlib
import Foundation
public import ZMFaceCore

/// One worker's private copy of the dlib models: HOG detector, 5-point shape predictor, ResNet
/// encoder and (loaded on first use) the MMOD CNN detector.
///
/// Deliberately not `Sendable`: dlib networks keep scratch tensors inside the object, and two
/// threads sharing one set silently produce wrong descriptors. Each worker thread loads and owns
/// one set.
public final class FaceModelSet {
    public let files: ModelFiles
    private let handle: OpaquePointer
    private var cnn: OpaquePointer?

    /// Loads the HOG, shape predictor and ResNet models (about 0.7 s).
    public init(files: ModelFiles) throws(RecognitionError) {
        for url in [files.shapePredictor, files.resnet] where !FileManager.default.fileExists(atPath: url.path) {
            throw .modelLoadFailed(path: url.path, reason: "no such file (run scripts/setup)")
        }
        var failure = ""
        let loaded = withErrorBuffer(
            { zmf_models_load(files.shapePredictor.path, files.resnet.path, $0, $1) }, &failure)
        guard let loaded else {
            throw .modelLoadFailed(path: "\(files.shapePredictor.path) / \(files.resnet.path)", reason: failure)
        }
        self.files = files
        self.handle = loaded
    }

    deinit {
        zmf_models_free(handle)
        if let cnn { zmf_cnn_free(cnn) }
    }

    /// Face boxes, most confident first, exactly as face_recognition's `face_locations` reports them
    /// (clamped to the image). Boxes that lie wholly outside the image are dropped.
    public func detectFaces(
        in image: RGBImage, detector: DetectorKind, upsample: Int
    ) throws(RecognitionError) -> [DetectedFace] {
        guard (0...8).contains(upsample) else { throw .invalidArgument("upsample must be between 0 and 8") }
        if detector == .cnn && upsample > 4 { throw .invalidArgument("CNN upsample must be between 0 and 4") }
        let cnnHandle = detector == .cnn ? try loadedCNN() : nil
        let capacity = 256
        var rects = [zmf_rect](repeating: zmf_rect(), count: capacity)
        var failure = ""
        let count: Int32 = image.pixels.withUnsafeBufferPointer { pixels in
            rects.withUnsafeMutableBufferPointer { out in
                withErrorBuffer(
                    { error, length in
                        switch detector {
                        case .hog:
                            zmf_detect_hog(
                                handle, pixels.baseAddress, Int32(image.width), Int32(image.height),
                                Int32(image.rowBytes), Int32(upsample), out.baseAddress, Int32(capacity), error, length)
                        case .cnn:
                            zmf_detect_cnn(
                                cnnHandle, pixels.baseAddress, Int32(image.width), Int32(image.height),
                                Int32(image.rowBytes), Int32(upsample), out.baseAddress, Int32(capacity), error, length)
                        }
                    }, &failure)
            }
        }
        guard count >= 0 else { throw .dlibFailure(operation: "\(detector.rawValue) detection", reason: failure) }
        return rects.prefix(Int(count)).compactMap { rect in
            let box = FaceBox(
                top: Int(rect.top), right: Int(rect.right), bottom: Int(rect.bottom), left: Int(rect.left)
            )
            .trimmed(toWidth: image.width, height: image.height)
            return box.isEmpty ? nil : DetectedFace(box: box, confidence: rect.confidence)
        }
    }

    /// The 128-D descriptor of the face in `box` (face_recognition's `face_encodings` with
    /// `known_face_locations`). With `jitters > 1` the mean over that many jittered crops; the result
    /// is the same on every call for the same input. `landmarks`, when the caller already has them
    /// from `landmarks(in:box:)` for this box, spare running the shape predictor a second time.
    public func encodeFace(in image: RGBImage, box: FaceBox, landmarks: FaceLandmarks? = nil, jitters: Int)
        throws(RecognitionError) -> FaceEncoding
    {
        guard jitters >= 0, jitters <= 1000 else { throw .invalidArgument("jitters must be between 0 and 1000") }
        guard !box.isEmpty else { throw .invalidArgument("face box is empty") }
        let points = landmarks.map { $0.points.flatMap { [Float($0.x), Float($0.y)] } }
        let (status, values, failure) = faceCall(image, box: box, outputs: FaceEncoding.dimensions) {
            pixels, width, height, stride, rect, out, error, length in
            if let points {
                return points.withUnsafeBufferPointer {
                    zmf_face_descriptor(
                        handle, pixels, width, height, stride, rect, $0.baseAddress, Int32(jitters), out, error,
                        length)
                }
            }
            return zmf_face_descriptor(
                handle, pixels, width, height, stride, rect, nil, Int32(jitters), out, error, length)
        }
        guard status == 0, let encoding = FaceEncoding(values) else {
            throw .dlibFailure(operation: "face descriptor", reason: failure)
        }
        return encoding
    }

    /// The 5 landmarks of the face in `box` (the shape predictor the encoder aligns with).
    public func landmarks(in image: RGBImage, box: FaceBox) throws(RecognitionError) -> FaceLandmarks {
        guard !box.isEmpty else { throw .invalidArgument("face box is empty") }
        let (status, values, failure) = faceCall(image, box: box, outputs: 10) {
            pixels, width, height, stride, rect, out, error, length in
            zmf_face_landmarks(handle, pixels, width, height, stride, rect, out, error, length)
        }
        guard status == 0,
            let landmarks = FaceLandmarks(points: (0..<5).map { (Double(values[2 * $0]), Double(values[2 * $0 + 1])) })
        else {
            throw .dlibFailure(operation: "face landmarks", reason: failure)
        }
        return landmarks
    }

    /// Calls a shim function that reads the face in `box` and writes `outputs` floats: the pixels,
    /// the box as face_recognition turns its clamped (top, right, bottom, left) back into a dlib
    /// rectangle, the output buffer and the error buffer. Returns its status, the floats and the
    /// error text.
    private func faceCall(
        _ image: RGBImage, box: FaceBox, outputs: Int,
        _ call: (
            UnsafePointer<UInt8>?, Int32, Int32, Int32, zmf_rect, UnsafeMutablePointer<Float>?,
            UnsafeMutablePointer<CChar>, Int
        ) -> Int32
    ) -> (status: Int32, values: [Float], failure: String) {
        let rect = zmf_rect(
            left: Int32(box.left), top: Int32(box.top), right: Int32(box.right), bottom: Int32(box.bottom),
            confidence: 0)
        var values = [Float](repeating: 0, count: outputs)
        var failure = ""
        let status: Int32 = image.pixels.withUnsafeBufferPointer { pixels in
            values.withUnsafeMutableBufferPointer { out in
                withErrorBuffer(
                    { error, length in
                        call(
                            pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(image.rowBytes), rect,
                            out.baseAddress, error, length)
                    }, &failure)
            }
        }
        return (status, values, failure)
    }

    private func loadedCNN() throws(RecognitionError) -> OpaquePointer {
        if let cnn { return cnn }
        let path = files.cnnDetector.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw .modelLoadFailed(path: path, reason: "no such file (run scripts/setup)")
        }
        var failure = ""
        guard let loaded = withErrorBuffer({ zmf_cnn_load(path, $0, $1) }, &failure) else {
            throw .modelLoadFailed(path: path, reason: failure)
        }
        cnn = loaded
        return loaded
    }
}

/// A detector hit: the clamped box and dlib's detection score.
public struct DetectedFace: Sendable, Hashable {
    public let box: FaceBox
    public let confidence: Double
}

/// Calls a shim function that reports failures through a C string buffer and copies that message out.
func withErrorBuffer<Result>(
    _ body: (UnsafeMutablePointer<CChar>, Int) -> Result, _ message: inout String
) -> Result {
    var buffer = [CChar](repeating: 0, count: 1024)
    let result = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    message = String(zeroTerminated: buffer)
    return result
}
