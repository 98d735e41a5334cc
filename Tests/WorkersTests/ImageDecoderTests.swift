import Foundation
import Testing
import Workers
import ZMFaceCore

/// Bad files must give a clear, specific error before any large allocation; never a crash, never a
/// silently grey picture.
@Suite struct ImageDecoderTests {
    private let decoder = ImageDecoder()

    private func write(_ data: Data, named name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    /// Returns the JPEG with its SOF0/SOF2 frame dimensions replaced.
    private func jpeg(_ data: Data, withWidth width: UInt16, height: UInt16) throws -> Data {
        var bytes = [UInt8](data)
        var index = 2
        while index + 9 < bytes.count {
            try #require(bytes[index] == 0xFF, "lost JPEG marker sync at \(index)")
            let marker = bytes[index + 1]
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if marker == 0xC0 || marker == 0xC2 {
                bytes[index + 5] = UInt8(height >> 8)
                bytes[index + 6] = UInt8(height & 0xFF)
                bytes[index + 7] = UInt8(width >> 8)
                bytes[index + 8] = UInt8(width & 0xFF)
                return Data(bytes)
            }
            index += 2 + length
        }
        Issue.record("no SOF marker found")
        return data
    }

    @Test("A real JPEG decodes to its full size")
    func decodesJPEG() throws {
        let image = try Fixtures.photo("obama.jpg")
        #expect(image.width == 910 && image.height == 1137)
        #expect(image.pixels.count == 910 * 1137 * 3)
    }

    @Test("A missing file is reported as missing")
    func missingFile() {
        #expect(throws: ImageDecodingError.fileNotFound(path: "/nonexistent/x.jpg")) {
            try decoder.decode(fileAtPath: "/nonexistent/x.jpg")
        }
    }

    @Test("A directory, an empty file and a text file are each refused with their own reason")
    func notImages() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: ImageDecodingError.unreadable(path: directory.path, reason: "not a regular file")) {
            try decoder.decode(fileAtPath: directory.path)
        }
        let empty = try write(Data(), named: "empty.jpg", in: directory)
        #expect(throws: ImageDecodingError.emptyFile(path: empty)) { try decoder.decode(fileAtPath: empty) }
        let text = try write(Data("hello, not a picture\n".utf8), named: "text.jpg", in: directory)
        #expect(throws: ImageDecodingError.notAnImage(path: text)) { try decoder.decode(fileAtPath: text) }
    }

    @Test("A JPEG cut short is an error, not a grey-padded picture", arguments: [0.3, 0.7, 0.98])
    func truncatedJPEG(fraction: Double) throws {
        let data = try Fixtures.photoData("obama.jpg")
        let cut = data.prefix(Int(Double(data.count) * fraction))
        #expect {
            try decoder.decode(cut, name: "cut.jpg")
        } throws: { error in
            guard case ImageDecodingError.truncated(let path, let reason) = error else { return false }
            return path == "cut.jpg" && !reason.isEmpty
        }
    }

    @Test("A JPEG cut inside its header is refused")
    func jpegHeaderOnly() throws {
        let data = try Fixtures.photoData("obama.jpg").prefix(40)
        #expect(throws: ImageDecodingError.self) { try decoder.decode(data, name: "header.jpg") }
    }

    @Test("A PNG cut short or with damaged data is refused")
    func brokenPNG() throws {
        let data = try Fixtures.photoData("32bit.png")
        #expect(throws: ImageDecodingError.self) { try decoder.decode(data.prefix(data.count / 2), name: "cut.png") }
        var damaged = [UInt8](data)
        for index in stride(from: 200, to: min(damaged.count, 4000), by: 7) { damaged[index] ^= 0x5A }
        #expect(throws: ImageDecodingError.self) { try decoder.decode(Data(damaged), name: "damaged.png") }
    }

    @Test("Zero and absurd dimensions are refused before any pixel buffer is allocated")
    func dimensions() throws {
        let data = try Fixtures.photoData("obama.jpg")
        // libjpeg itself refuses a zero dimension (as corrupt); the pixel limit is ours.
        #expect(throws: ImageDecodingError.self) {
            try decoder.decode(jpeg(data, withWidth: 0, height: 100), name: "zero.jpg")
        }
        #expect {
            try decoder.decode(jpeg(data, withWidth: 65000, height: 65000), name: "huge.jpg")
        } throws: { error in
            guard case ImageDecodingError.tooManyPixels(_, let reason) = error else { return false }
            return reason.contains("65000x65000") && (error as? ImageDecodingError)?.breachedLimit == .imagePixels
        }
        let strict = ImageDecoder(maxPixels: 1000)
        #expect(throws: ImageDecodingError.self) { try strict.decode(data, name: "limited.jpg") }
    }

    @Test("Files above the byte limit are refused without being read")
    func fileSizeLimit() throws {
        let path = try Fixtures.photoPath("obama.jpg")
        let small = ImageDecoder(maxFileBytes: 1024)
        #expect {
            try small.decode(fileAtPath: path)
        } throws: { error in
            guard case ImageDecodingError.fileTooLarge(_, _, let limit) = error else { return false }
            return limit == 1024
        }
    }

    @Test("Error messages name the file")
    func messagesNameTheFile() {
        let error = ImageDecodingError.truncated(
            path: "/events/1/00001-capture.jpg", reason: "Premature end of JPEG file")
        #expect("\(error)".contains("/events/1/00001-capture.jpg"))
    }
}
