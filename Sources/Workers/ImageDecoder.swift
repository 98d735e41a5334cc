internal import CImageCodecs
public import Foundation
public import ZMFaceCore

/// Why an image could not be turned into pixels. Each case names the file so a log line or a CLI
/// error is useful on its own.
public enum ImageDecodingError: ResourceLimitError, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case fileTooLarge(path: String, bytes: Int, limit: Int)
    case emptyFile(path: String)
    case notAnImage(path: String)
    /// A recognised image format (or variant, such as an RLE-compressed BMP) that is not read.
    case unsupportedFormat(path: String, format: String)
    case corrupt(path: String, reason: String)
    case truncated(path: String, reason: String)
    case badDimensions(path: String, reason: String)
    /// Above `maxPixels`: refused before the pixel buffer is allocated.
    case tooManyPixels(path: String, reason: String)
    case outOfMemory(path: String)

    /// The configured limit this error enforces (worker.json `limits`), for the breach counters.
    public var breachedLimit: ResourceLimit? {
        switch self {
        case .fileTooLarge: .imageBytes
        case .tooManyPixels: .imagePixels
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let path): "\(path): no such file"
        case .unreadable(let path, let reason): "\(path): cannot read file (\(reason))"
        case .fileTooLarge(let path, let bytes, let limit):
            "\(path): file is \(bytes) bytes, above the \(limit)-byte limit"
        case .emptyFile(let path): "\(path): file is empty"
        case .notAnImage(let path): "\(path): not a JPEG, PNG, WebP or BMP image"
        case .unsupportedFormat(let path, let format):
            "\(path): \(format) images are not supported (JPEG, PNG, WebP and BMP are)"
        case .corrupt(let path, let reason): "\(path): corrupt image (\(reason))"
        case .truncated(let path, let reason): "\(path): truncated image (\(reason))"
        case .badDimensions(let path, let reason), .tooManyPixels(let path, let reason): "\(path): \(reason)"
        case .outOfMemory(let path): "\(path): not enough memory to decode"
        }
    }
}

/// Decodes JPEG, PNG, WebP and BMP files, the format told by the content, never by the file name (a
/// WebP named .jpg decodes, as with the original's cv2.imread). JPEG and PNG use the same
/// libjpeg/libpng the original's Python stack used, and a JPEG's EXIF orientation is applied so
/// faces are upright; limits are checked before anything large is allocated.
public struct ImageDecoder: Sendable, Equatable {
    /// Refuse files larger than this before reading them.
    public var maxFileBytes: Int
    /// Refuse pictures with more pixels than this before allocating their buffer.
    public var maxPixels: Int

    public init(maxFileBytes: Int = 64 << 20, maxPixels: Int = 40_000_000) {
        self.maxFileBytes = maxFileBytes
        self.maxPixels = maxPixels
    }

    public func decode(fileAtPath path: String) throws(ImageDecodingError) -> RGBImage {
        let data = try readFile(path)
        return try decode(data, name: path)
    }

    /// Decodes bytes already in memory; `name` only labels errors.
    public func decode(_ data: Data, name: String) throws(ImageDecodingError) -> RGBImage {
        guard !data.isEmpty else { throw .emptyFile(path: name) }
        var image = zmf_decoded_image()
        var reason = ""
        let status = data.withUnsafeBytes { bytes in
            withErrorBuffer(
                {
                    zmf_image_decode(
                        bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, Int64(maxPixels), &image, $0, $1)
                }, &reason)
        }
        defer { zmf_image_free(&image) }
        switch status {
        case ZMF_IMAGE_OK:
            let count = Int(image.width) * Int(image.height) * 3
            let pixels = [UInt8](UnsafeBufferPointer(start: image.rgb, count: count))
            guard let rgb = RGBImage(width: Int(image.width), height: Int(image.height), pixels: pixels) else {
                throw .corrupt(path: name, reason: "decoder returned an empty picture")
            }
            return rgb
        case ZMF_IMAGE_UNKNOWN_FORMAT: throw .notAnImage(path: name)
        case ZMF_IMAGE_UNSUPPORTED_FORMAT: throw .unsupportedFormat(path: name, format: reason)
        case ZMF_IMAGE_TRUNCATED: throw .truncated(path: name, reason: reason)
        case ZMF_IMAGE_BAD_DIMENSIONS: throw .badDimensions(path: name, reason: reason)
        case ZMF_IMAGE_TOO_MANY_PIXELS: throw .tooManyPixels(path: name, reason: reason)
        case ZMF_IMAGE_OUT_OF_MEMORY: throw .outOfMemory(path: name)
        default: throw .corrupt(path: name, reason: reason)
        }
    }

    private func readFile(_ path: String) throws(ImageDecodingError) -> Data {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            if !FileManager.default.fileExists(atPath: path) { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: "cannot stat")
        }
        if let type = attributes[.type] as? FileAttributeType, type != .typeRegular {
            throw .unreadable(path: path, reason: "not a regular file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxFileBytes else { throw .fileTooLarge(path: path, bytes: size, limit: maxFileBytes) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or unreadable")
        }
        defer { try? handle.close() }
        do {
            // Read at most one byte past the limit so a file that grew after stat is still refused.
            let data = try handle.read(upToCount: maxFileBytes + 1) ?? Data()
            guard data.count <= maxFileBytes else {
                throw ImageDecodingError.fileTooLarge(path: path, bytes: data.count, limit: maxFileBytes)
            }
            return data
        } catch let error as ImageDecodingError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }
}

extension ImageDecoder: StillImageDecoding {
    public func decodeImage(atPath path: String) throws -> RGBImage {
        try decode(fileAtPath: path)
    }
}
