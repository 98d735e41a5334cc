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
