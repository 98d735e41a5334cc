/// Which dlib face detector to run: the fast HOG + linear SVM frontal detector, or the slower,
/// more pose-tolerant MMOD CNN. Same names as the original's `faceDetModel` setting.
public enum DetectorKind: String, Sendable, CaseIterable, Codable {
    case hog
    case cnn
}
