/// What became of a face, or of a region that held none: the one status vocabulary of
/// `zmface detect`, `detect_faces` (`faceStatus`, and `status` in its `faces` array), ingestion's
/// `detections.status` and the PUB messages.
public enum FaceStatus: String, Sendable, Codable, CaseIterable {
    /// A face passed every gate and the classifier named it.
    case recognized
    /// A face passed every gate but no person was named: the open-set rule rejected it, the trained
    /// stranger class ("Unknown") claimed it, or no classifier is loaded.
    case unknown
    /// The person box holds no face the detector found.
    case noFace = "no_face"
    /// The face is smaller than `minFace` pixels in height or width.
    case tooSmall = "too_small"
    /// The face is turned further than `recognition.maxYaw`: side faces are where names go wrong.
    case sideFace = "side_face"
    /// The face's focus measure is below the threshold.
    case blurry
    /// The image could not be read or decoded.
    case unreadableImage = "unreadable_image"
    /// The person box is missing, not numeric, NaN, inverted, or outside the image.
    case badROI = "bad_roi"
    /// The image path lies outside the configured roots; it was not read.
    case forbiddenPath = "forbidden_path"
}
