internal import CImageCodecs
public import Foundation
public import ZMFaceCore

/// Writes pictures as JPEG (libjpeg), for the dataset tools' crops and annotated images.
public enum ImageEncoder {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func jpeg(_ image: RGBImage, quality: Int = 92) throws(Failure) -> Data {
        var buffer: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = ""
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            withErrorBuffer(
                {
                    zmf_image_encode_jpeg(
                        pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(quality), &buffer, &length,
                        $0, $1)
                }, &message)
        }
        guard status == 0, let buffer else { throw Failure(description: "JPEG encoding failed: \(message)") }
        defer { zmf_buffer_free(buffer) }
        return Data(bytes: buffer, count: length)
    }
}

extension RGBImage {
    /// A copy scaled to `width` (aspect kept), bilinear: the dataset tools' 300 px person crops.
    public func resized(toWidth newWidth: Int) -> RGBImage {
        let newHeight = max(1, Int((Double(height) * Double(newWidth) / Double(width)).rounded()))
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        let xScale = Double(width) / Double(newWidth)
        let yScale = Double(height) / Double(newHeight)
        for y in 0..<newHeight {
            let sy = max(0, min(Double(height - 1), (Double(y) + 0.5) * yScale - 0.5))
            let y0 = Int(sy)
            let y1 = min(y0 + 1, height - 1)
            let fy = sy - Double(y0)
            for x in 0..<newWidth {
                let sx = max(0, min(Double(width - 1), (Double(x) + 0.5) * xScale - 0.5))
                let x0 = Int(sx)
                let x1 = min(x0 + 1, width - 1)
                let fx = sx - Double(x0)
                for c in 0..<3 {
                    func p(_ px: Int, _ py: Int) -> Double { Double(pixels[(py * width + px) * 3 + c]) }
                    let top = p(x0, y0) * (1 - fx) + p(x1, y0) * fx
                    let bottom = p(x0, y1) * (1 - fx) + p(x1, y1) * fx
                    out[(y * newWidth + x) * 3 + c] = UInt8(max(0, min(255, (top * (1 - fy) + bottom * fy).rounded())))
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)!
    }

    /// A copy with rectangle outlines drawn (tune's annotated images).
    public func annotated(_ boxes: [(box: FaceBox, color: (UInt8, UInt8, UInt8))], thickness: Int = 3) -> RGBImage {
        var out = pixels
        for (box, color) in boxes {
            let trimmed = box.trimmed(toWidth: width, height: height)
            guard !trimmed.isEmpty else { continue }
            for y in trimmed.top..<trimmed.bottom {
                for x in trimmed.left..<trimmed.right {
                    let edge =
                        y - trimmed.top < thickness || trimmed.bottom - 1 - y < thickness
                        || x - trimmed.left < thickness
                        || trimmed.right - 1 - x < thickness
                    guard edge else { continue }
                    let offset = (y * width + x) * 3
                    out[offset] = color.0
                    out[offset + 1] = color.1
                    out[offset + 2] = color.2
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)!
    }
}
