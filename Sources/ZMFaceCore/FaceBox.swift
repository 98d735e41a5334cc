/// A face rectangle in image pixels, in the (top, right, bottom, left) order that
/// face_recognition and the original server use. `right` and `bottom` are dlib's inclusive
/// corners clamped to the image size, so slicing `[top..<bottom, left..<right]` gives the same crop
/// the original cut.
public struct FaceBox: Sendable, Hashable, Codable {
    public var top: Int
    public var right: Int
    public var bottom: Int
    public var left: Int

    public init(top: Int, right: Int, bottom: Int, left: Int) {
        self.top = top
        self.right = right
        self.bottom = bottom
        self.left = left
    }

    public var width: Int { right - left }
    public var height: Int { bottom - top }
    public var area: Int { max(0, width) * max(0, height) }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// face_recognition's `_trim_css_to_bounds`: clamp each side to the image.
    public func trimmed(toWidth imageWidth: Int, height imageHeight: Int) -> FaceBox {
        FaceBox(
            top: max(top, 0), right: min(right, imageWidth),
            bottom: min(bottom, imageHeight), left: max(left, 0))
    }
}
