public import Foundation
import Workers
public import ZMFaceCore

/// `faces.keep`: which faces of an ingested frame get a crop file.
public enum FaceCropKeep: String, Sendable, Equatable {
    case all
    /// Only faces the model did not name.
    case unknown
    case none

    public func keeps(name: String?) -> Bool {
        switch self {
        case .all: true
        case .unknown: name == nil
        case .none: false
        }
    }
}

/// The picture of one face for the faces page and for training: the face box doubled around its
/// centre (hair, chin and some background, as a person recognises a face), clamped to the frame,
/// scaled down so the longest side is at most `maxSide`, as JPEG. Cut while the frame's pixels
/// exist (on the worker thread that recognised it), so frames are never kept or decoded twice.
public enum FaceCrop {
    public static let maxSide = 200

    /// The doubled box around `box`'s centre, clamped to a `width` × `height` frame.
    public static func region(around box: FaceBox, width: Int, height: Int) -> FaceBox {
        let (centreX, centreY) = ((box.left + box.right) / 2, (box.top + box.bottom) / 2)
        let (halfWidth, halfHeight) = (max(box.width, 1), max(box.height, 1))
        return FaceBox(
            top: centreY - halfHeight, right: centreX + halfWidth, bottom: centreY + halfHeight,
            left: centreX - halfWidth
        ).trimmed(toWidth: width, height: height)
    }

    /// The crop as JPEG; nil when the box lies outside the frame.
    public static func jpeg(of box: FaceBox, in image: RGBImage, quality: Int = 85) throws -> Data? {
        guard let cut = image.cropped(to: region(around: box, width: image.width, height: image.height)) else {
            return nil
        }
        let longest = max(cut.width, cut.height)
        let scaled =
            longest <= maxSide
            ? cut
            : cut.resized(toWidth: max(1, Int((Double(cut.width) * Double(maxSide) / Double(longest)).rounded())))
        return try ImageEncoder.jpeg(scaled, quality: quality)
    }
}
