/// A decoded picture: packed 8-bit RGB rows (RGB24, no padding), the layout dlib and swscale use.
public struct RGBImage: Sendable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes, row after row.
    public let pixels: [UInt8]

    /// Fails (returns nil) when the buffer does not hold exactly `width * height` RGB pixels.
    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width > 0, height > 0, pixels.count == width * height * 3 else { return nil }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public var rowBytes: Int { width * 3 }
}

extension RGBImage {
    /// The pixels inside `box` (half-open) as a new image, or nil when the box is empty or not
    /// wholly inside this image.
    public func cropped(to box: FaceBox) -> RGBImage? {
        guard !box.isEmpty, box.left >= 0, box.top >= 0, box.right <= width, box.bottom <= height else { return nil }
        let rowBytes = box.width * 3
        var out = [UInt8]()
        out.reserveCapacity(rowBytes * box.height)
        for row in box.top..<box.bottom {
            let start = row * self.rowBytes + box.left * 3
            out.append(contentsOf: pixels[start..<start + rowBytes])
        }
        return RGBImage(width: box.width, height: box.height, pixels: out)
    }
}
