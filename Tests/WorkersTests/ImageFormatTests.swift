import Foundation
import Recognition
import Testing
import Workers
import ZMFaceCore

/// Photos as users have them: WebP and BMP beside JPEG and PNG, told apart by content (never by
/// name), phone JPEGs turned upright by their EXIF orientation, and every damaged or hostile file
/// refused with a clear error before anything large is allocated.
///
/// Test files are made at test time: WebP (lossy and lossless) by ffmpeg's libwebp encoder (ffmpeg
/// is installed by scripts/setup; a missing ffmpeg fails these tests, it does not skip them), BMP
/// both by ffmpeg and by the hand-written writer below (for the forms and hostile headers ffmpeg
/// does not produce), oriented JPEGs by the project's JPEG encoder plus an EXIF segment written here.
@Suite struct ImageDecoderFormatTests {
    private let decoder = ImageDecoder()

    // MARK: - Helpers

    /// A small picture whose every pixel differs from its neighbours (odd width: BMP rows need padding).
    private static func pattern(width: Int = 37, height: Int = 23) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var state: UInt32 = 12345
        for index in pixels.indices {
            state = state &* 1_103_515_245 &+ 12345
            pixels[index] = UInt8(truncatingIfNeeded: state >> 16)
        }
        return RGBImage(width: width, height: height, pixels: pixels)!
    }

    /// Runs ffmpeg with `arguments`; a failure to run it fails the test.
    private func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-loglevel", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "ffmpeg \(arguments.joined(separator: " ")) failed")
    }

    /// Encodes `image` with ffmpeg from its raw RGB pixels; `codec` are the output options.
    private func ffmpegEncode(_ image: RGBImage, extension ext: String, codec: [String]) throws -> Data {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let raw = directory.appendingPathComponent("in.rgb")
        let out = directory.appendingPathComponent("out.\(ext)")
        try Data(image.pixels).write(to: raw)
        try ffmpeg(
            ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(image.width)x\(image.height)", "-i", raw.path] + codec
                + [out.path])
        return try Data(contentsOf: out)
    }

    private func webp(_ image: RGBImage, lossless: Bool) throws -> Data {
        try ffmpegEncode(
            image, extension: "webp",
            codec: ["-c:v", "libwebp"] + (lossless ? ["-lossless", "1"] : ["-lossless", "0", "-quality", "85"]))
    }

    private static func le32(_ value: Int) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private static func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }

    /// A BMP written by hand: BITMAPINFOHEADER (40 bytes), BI_RGB, 24 or 32 bits per pixel.
    private static func bmp(_ image: RGBImage, bits: Int, topDown: Bool) -> [UInt8] {
        let rowBytes = (image.width * bits + 31) / 32 * 4
        let offset = 14 + 40
        var out: [UInt8] = Array("BM".utf8) + le32(offset + rowBytes * image.height) + le32(0) + le32(offset)
        out += le32(40) + le32(image.width) + le32(topDown ? -image.height : image.height) + le16(1) + le16(bits)
        out += le32(0) + le32(rowBytes * image.height) + le32(2835) + le32(2835) + le32(0) + le32(0)
        for row in 0..<image.height {
            let y = topDown ? row : image.height - 1 - row
            var line: [UInt8] = []
            for x in 0..<image.width {
                let pixel = (y * image.width + x) * 3
                line += [image.pixels[pixel + 2], image.pixels[pixel + 1], image.pixels[pixel]]
                if bits == 32 { line.append(0xFF) }
            }
            out += line + [UInt8](repeating: 0, count: rowBytes - line.count)
        }
        return out
    }

    /// An 8-bit BMP with a `colours`-entry grey palette (entry i is grey level i*4), pixels `indexes`.
    private static func bmp8(width: Int, height: Int, colours: Int, indexes: (Int, Int) -> UInt8) -> [UInt8] {
        let rowBytes = (width + 3) / 4 * 4
        let offset = 14 + 40 + colours * 4
        var out: [UInt8] = Array("BM".utf8) + le32(offset + rowBytes * height) + le32(0) + le32(offset)
        out += le32(40) + le32(width) + le32(height) + le16(1) + le16(8)
        out += le32(0) + le32(rowBytes * height) + le32(0) + le32(0) + le32(colours) + le32(0)
        for level in 0..<colours { out += [UInt8(level * 4 % 256), UInt8(level * 4 % 256), UInt8(level * 4 % 256), 0] }
        for row in 0..<height {
            let y = height - 1 - row
            let line = (0..<width).map { indexes($0, y) }
            out += line + [UInt8](repeating: 0, count: rowBytes - width)
        }
        return out
    }

    private static func meanAbsoluteDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.pixels.count == b.pixels.count)
        var total = 0
        for index in a.pixels.indices { total += abs(Int(a.pixels[index]) - Int(b.pixels[index])) }
        return Double(total) / Double(a.pixels.count)
    }

    // MARK: - WebP

    @Test("A lossless WebP decodes to exactly the pixels it was made from")
    func losslessWebP() throws {
        let source = try Fixtures.photo("obama.jpg")
        let decoded = try decoder.decode(webp(source, lossless: true), name: "lossless.webp")
        #expect(decoded.width == source.width && decoded.height == source.height)
        #expect(decoded.pixels == source.pixels)
    }

    @Test("A lossy WebP decodes to its full size and close to its source")
    func lossyWebP() throws {
        let source = try Fixtures.photo("obama.jpg")
        let decoded = try decoder.decode(webp(source, lossless: false), name: "lossy.webp")
        try #require(decoded.width == source.width && decoded.height == source.height)
        #expect(Self.meanAbsoluteDifference(decoded, source) < 4)
    }

    @Test("A WebP named .jpg is decoded as the WebP it is: the content decides, not the name")
    func webpNamedJPEG() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = Self.pattern()
        let path = directory.appendingPathComponent("holiday.jpg").path
        try webp(source, lossless: true).write(to: URL(fileURLWithPath: path))
        #expect(try decoder.decode(fileAtPath: path).pixels == source.pixels)
    }

    @Test("A WebP cut short or with garbage after its header is refused as truncated or corrupt")
    func brokenWebP() throws {
        let data = try webp(Fixtures.photo("obama.jpg"), lossless: false)
        for length in [16, 30, data.count / 2, data.count - 10] {
            #expect("cut at \(length)") {
                try decoder.decode(data.prefix(length), name: "cut.webp")
            } throws: { error in
                guard case ImageDecodingError.truncated(let path, let reason) = error else { return false }
                return path == "cut.webp" && reason.contains("WebP")
            }
        }
        var garbage = [UInt8](data.prefix(12))
        var state: UInt32 = 99
        for _ in 0..<4000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            garbage.append(UInt8(truncatingIfNeeded: state >> 24))
        }
        garbage.replaceSubrange(4..<8, with: Self.le32(garbage.count - 8))
        #expect {
            try decoder.decode(Data(garbage), name: "garbage.webp")
        } throws: { error in
            guard case ImageDecodingError.corrupt(_, let reason) = error else { return false }
            return reason.contains("WebP")
        }
    }

    @Test("A WebP declaring 16383x16383 pixels is refused by the pixel limit before decoding")
    func hugeWebP() throws {
        var bytes = [UInt8](try webp(Self.pattern(), lossless: true))
        // Simple lossless layout: "VP8L" chunk at 12, signature 0x2F at 20, then 14 bits width-1,
        // 14 bits height-1, alpha and version bits (kept).
        try #require(Array(bytes[12..<16]) == Array("VP8L".utf8) && bytes[20] == 0x2F)
        let old = Int(bytes[21]) | Int(bytes[22]) << 8 | Int(bytes[23]) << 16 | Int(bytes[24]) << 24
        let header = (old & ~0x0FFF_FFFF) | 16382 | 16382 << 14
        bytes.replaceSubrange(21..<25, with: Self.le32(header))
        #expect {
            try decoder.decode(Data(bytes), name: "huge.webp")
        } throws: { error in
            guard case ImageDecodingError.tooManyPixels(_, let reason) = error else { return false }
            return reason.contains("16383x16383")
        }
    }

    // MARK: - BMP

    @Test(
        "24- and 32-bit BMPs, bottom-up and top-down, decode to exactly their pixels",
        arguments: [(24, false), (24, true), (32, false), (32, true)])
    func bmpForms(bits: Int, topDown: Bool) throws {
        let source = Self.pattern()
        let decoded = try decoder.decode(Data(Self.bmp(source, bits: bits, topDown: topDown)), name: "p.bmp")
        #expect(decoded.width == source.width && decoded.height == source.height)
        #expect(decoded.pixels == source.pixels)
    }

    @Test("BMPs written by ffmpeg (24-bit, 32-bit with alpha) decode to exactly the photo they were made from")
    func ffmpegBMP() throws {
        let source = try Fixtures.photo("obama.jpg")
        for format in ["bgr24", "bgra"] {
            let data = try ffmpegEncode(source, extension: "bmp", codec: ["-pix_fmt", format])
            #expect(try decoder.decode(data, name: "\(format).bmp").pixels == source.pixels, "\(format)")
        }
    }

    @Test("An 8-bit palette BMP decodes through its palette; an index past the palette is refused")
    func palettedBMP() throws {
        let good = Self.bmp8(width: 5, height: 3, colours: 16) { x, y in UInt8((x + y * 5) % 16) }
        let decoded = try decoder.decode(Data(good), name: "grey.bmp")
        #expect(decoded.width == 5 && decoded.height == 3)
        let expected = (0..<15).flatMap { index -> [UInt8] in
            let level = UInt8(index % 16 * 4)
            return [level, level, level]
        }
        #expect(decoded.pixels == expected)
        let bad = Self.bmp8(width: 5, height: 3, colours: 16) { x, y in x == 4 && y == 2 ? 16 : 0 }
        #expect {
            try decoder.decode(Data(bad), name: "bad.bmp")
        } throws: { error in
            guard case ImageDecodingError.corrupt(_, let reason) = error else { return false }
            return reason.contains("colour 16 of a 16-colour palette")
        }
    }

    /// One header field of a valid 24-bit BMP changed, and the error it must give.
    struct HostileHeader: Sendable, CustomTestStringConvertible {
        let name: String
        let offset: Int
        let value: Int
        let bytes: Int
        let expected: @Sendable (ImageDecodingError) -> Bool
        var testDescription: String { name }
    }

    static let hostileHeaders: [HostileHeader] = [
        .init(name: "zero width", offset: 18, value: 0, bytes: 4) {
            if case .badDimensions = $0 { true } else { false }
        },
        .init(name: "negative width", offset: 18, value: -5, bytes: 4) {
            if case .badDimensions = $0 { true } else { false }
        },
        .init(name: "zero height", offset: 22, value: 0, bytes: 4) {
            if case .badDimensions = $0 { true } else { false }
        },
        .init(name: "height INT32_MIN", offset: 22, value: Int(Int32.min), bytes: 4) {
            if case .badDimensions = $0 { true } else { false }
        },
        .init(name: "65000x65000 declared in a 3 KB file", offset: 18, value: 65000, bytes: 4) {
            // width only here; the height is set by the test below for this case
            if case .tooManyPixels = $0 { true } else { false }
        },
        .init(name: "pixel data offset past the end", offset: 10, value: 1 << 30, bytes: 4) {
            if case .truncated(_, let reason) = $0 { reason.contains("BMP pixel data ends") } else { false }
        },
        .init(name: "pixel data offset inside the header", offset: 10, value: 20, bytes: 4) {
            if case .corrupt(_, let reason) = $0 { reason.contains("inside the header") } else { false }
        },
        .init(name: "two colour planes", offset: 26, value: 2, bytes: 2) {
            if case .corrupt(_, let reason) = $0 { reason.contains("colour planes") } else { false }
        },
        .init(name: "16 bits per pixel", offset: 28, value: 16, bytes: 2) {
            if case .unsupportedFormat(_, let format) = $0 { format == "16-bit BMP" } else { false }
        },
        .init(name: "RLE8 compression", offset: 30, value: 1, bytes: 4) {
            if case .unsupportedFormat(_, let format) = $0 { format.contains("RLE8") } else { false }
        },
        .init(name: "24 bits with bit-field compression", offset: 30, value: 3, bytes: 4) {
            // 24-bit BI_BITFIELDS is not a form BMP allows
            if case .unsupportedFormat = $0 { true } else { false }
        },
        .init(name: "OS/2 header size", offset: 14, value: 12, bytes: 4) {
            if case .unsupportedFormat(_, let format) = $0 { format == "OS/2 BMP" } else { false }
        },
    ]

    @Test("Every hostile BMP header field is refused with its own error", arguments: hostileHeaders)
    func hostileBMP(_ hostile: HostileHeader) throws {
        var bytes = Self.bmp(Self.pattern(), bits: 24, topDown: false)
        let value = hostile.bytes == 4 ? Self.le32(hostile.value) : Self.le16(hostile.value)
        bytes.replaceSubrange(hostile.offset..<hostile.offset + hostile.bytes, with: value)
        if hostile.name.hasPrefix("65000") { bytes.replaceSubrange(22..<26, with: Self.le32(65000)) }
        #expect {
            try decoder.decode(Data(bytes), name: "hostile.bmp")
        } throws: { error in
            guard let error = error as? ImageDecodingError else { return false }
            return hostile.expected(error)
        }
    }

    @Test("Every prefix of a BMP is refused (never a partial picture), with a BMP reason once the header is read")
    func everyTruncatedBMP() throws {
        let bytes = Self.bmp(Self.pattern(width: 9, height: 7), bits: 24, topDown: true)
        for length in 1..<bytes.count {
            #expect(throws: ImageDecodingError.self, "prefix \(length)") {
                try decoder.decode(Data(bytes.prefix(length)), name: "cut.bmp")
            }
        }
        #expect {
            try decoder.decode(Data(bytes.dropLast()), name: "cut.bmp")
        } throws: { error in
            guard case ImageDecodingError.truncated(_, let reason) = error else { return false }
            return reason.contains("BMP pixel data ends after")
        }
    }

    @Test("Random damage to a BMP header gives a picture of the declared size or an error, never a crash")
    func fuzzedBMPHeaders() throws {
        let original = Self.bmp(Self.pattern(width: 11, height: 5), bits: 32, topDown: false)
        var state: UInt64 = 0x5EED
        var refused = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<3 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let position = Int(state >> 33) % 54
                bytes[position] = UInt8(truncatingIfNeeded: state >> 17)
            }
            do {
                let image = try decoder.decode(Data(bytes), name: "fuzz.bmp")
                #expect(image.pixels.count == image.width * image.height * 3)
                #expect(image.width * image.height <= decoder.maxPixels)
            } catch {
                refused += 1
            }
        }
        // Most of three random header bytes hit a checked field; a test where nothing is refused
        // would not be exercising the checks at all.
        #expect(refused > 300)
    }

    // MARK: - Other formats

    @Test(
        "A known but unsupported format is named in the error",
        arguments: [
            ("GIF89a", "GIF"), ("II*\u{0}", "TIFF"), ("\u{0}\u{0}\u{0}\u{18}ftypheic", "HEIF/HEIC"),
            ("\u{0}\u{0}\u{0}\u{1C}ftypavif", "AVIF"),
        ])
    func unsupportedFormats(header: String, format: String) {
        let data = Data(header.utf8) + Data(repeating: 0, count: 64)
        #expect(throws: ImageDecodingError.unsupportedFormat(path: "x.jpg", format: format)) {
            try decoder.decode(data, name: "x.jpg")
        }
        let message = "\(ImageDecodingError.unsupportedFormat(path: "x.jpg", format: format))"
        #expect(message.contains("\(format) images are not supported"))
    }

    // MARK: - EXIF orientation

    /// An APP1 Exif segment (marker included) holding only IFD0's Orientation tag.
    private static func exifSegment(orientation: Int, bigEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { bigEndian ? le16(v).reversed() : le16(v) }
        func u32(_ v: Int) -> [UInt8] { bigEndian ? le32(v).reversed() : le32(v) }
        var tiff: [UInt8] = Array((bigEndian ? "MM" : "II").utf8) + u16(42) + u32(8)
        tiff += u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0) + u32(0)
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        return [0xFF, 0xE1] + [UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
    }

    /// `jpeg` with `segment` inserted right after its SOI marker.
    private static func inserting(_ segment: [UInt8], into jpeg: Data) -> Data {
        var bytes = [UInt8](jpeg)
        bytes.insert(contentsOf: segment, at: 2)
        return Data(bytes)
    }

    /// The picture a camera stores for `upright` when it tags it with `orientation`, following the
    /// EXIF definitions of where the stored row 0 and column 0 are shown.
    private static func stored(_ upright: RGBImage, orientation: Int) -> RGBImage {
        let (w, h) = (upright.width, upright.height)
        let swaps = orientation >= 5
        let (sw, sh) = swaps ? (h, w) : (w, h)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for sy in 0..<sh {
            for sx in 0..<sw {
                let (ux, uy): (Int, Int) =
                    switch orientation {
                    case 2: (w - 1 - sx, sy)  // row 0 top, column 0 right
                    case 3: (w - 1 - sx, h - 1 - sy)  // row 0 bottom, column 0 right
                    case 4: (sx, h - 1 - sy)  // row 0 bottom, column 0 left
                    case 5: (sy, sx)  // row 0 left, column 0 top
                    case 6: (w - 1 - sy, sx)  // row 0 right, column 0 top
                    case 7: (w - 1 - sy, h - 1 - sx)  // row 0 right, column 0 bottom
                    case 8: (sy, h - 1 - sx)  // row 0 left, column 0 bottom
                    default: (sx, sy)
                    }
                let from = (uy * w + ux) * 3
                let to = (sy * sw + sx) * 3
                pixels[to..<to + 3] = upright.pixels[from..<from + 3]
            }
        }
        return RGBImage(width: sw, height: sh, pixels: pixels)!
    }

    /// A 32x32 stored picture in four flat quadrants (red, green / blue, white) and, per
    /// orientation, the colours each upright quadrant must show (top-left, top-right, bottom-left,
    /// bottom-right): written out from the EXIF definitions, not computed.
    static let quadrantsByOrientation: [(Int, [String])] = [
        (1, ["red", "green", "blue", "white"]), (2, ["green", "red", "white", "blue"]),
        (3, ["white", "blue", "green", "red"]), (4, ["blue", "white", "red", "green"]),
        (5, ["red", "blue", "green", "white"]), (6, ["blue", "red", "white", "green"]),
        (7, ["white", "green", "blue", "red"]), (8, ["green", "white", "red", "blue"]),
    ]

    @Test(
        "Each EXIF orientation turns a JPEG's quadrants to where the EXIF definitions put them",
        arguments: quadrantsByOrientation)
    func orientationQuadrants(orientation: Int, expected: [String]) throws {
        let colours: [String: [UInt8]] = [
            "red": [255, 0, 0], "green": [0, 255, 0], "blue": [0, 0, 255], "white": [255, 255, 255],
        ]
        var pixels: [UInt8] = []
        for y in 0..<32 {
            for x in 0..<32 { pixels += colours[y < 16 ? (x < 16 ? "red" : "green") : (x < 16 ? "blue" : "white")]! }
        }
        let jpeg = try ImageEncoder.jpeg(RGBImage(width: 32, height: 32, pixels: pixels)!, quality: 100)
        let tagged = Self.inserting(
            Self.exifSegment(orientation: orientation, bigEndian: orientation % 2 == 0), into: jpeg)
        let image = try decoder.decode(tagged, name: "q.jpg")
        try #require(image.width == 32 && image.height == 32)
        for (index, (x, y)) in [(8, 8), (24, 8), (8, 24), (24, 24)].enumerated() {
            let at = (y * 32 + x) * 3
            let got = Array(image.pixels[at..<at + 3])
            let want = colours[expected[index]]!
            #expect(zip(got, want).allSatisfy { abs(Int($0) - Int($1)) < 24 }, "quadrant \(index): \(got)")
        }
    }

    @Test(
        "A rotated or mirrored phone photo (EXIF 3, 6, 8, 2) decodes upright, close to the original",
        arguments: [3, 6, 8, 2])
    func orientedPhoto(orientation: Int) throws {
        let upright = try Fixtures.photo("obama.jpg")
        let jpeg = try ImageEncoder.jpeg(Self.stored(upright, orientation: orientation), quality: 95)
        let tagged = Self.inserting(Self.exifSegment(orientation: orientation, bigEndian: orientation == 6), into: jpeg)
        let image = try decoder.decode(tagged, name: "phone.jpg")
        try #require(image.width == upright.width && image.height == upright.height)
        #expect(Self.meanAbsoluteDifference(image, upright) < 3)
        // The same file without its tag is the sideways picture: the tag, not luck, made it upright.
        if orientation != 3 && orientation != 2 {
            #expect(try decoder.decode(jpeg, name: "untagged.jpg").width == upright.height)
        } else {
            let untagged = Self.meanAbsoluteDifference(try decoder.decode(jpeg, name: "untagged.jpg"), upright)
            #expect(untagged > 10, "\(untagged)")
        }
    }

    @Test(
        "The detector finds the same face in a rotated phone photo as in the upright original", arguments: [6, 8, 3, 2])
    func orientedPhotoDetection(orientation: Int) throws {
        let models = try Fixtures.models()
        let upright = try Fixtures.photo("obama.jpg")
        let recognizer = FaceRecognizer(settings: RecognitionSettings(minFace: 0, focusThreshold: 0), identifier: nil)
        let jpeg = try ImageEncoder.jpeg(Self.stored(upright, orientation: orientation), quality: 95)
        let tagged = Self.inserting(Self.exifSegment(orientation: orientation, bigEndian: false), into: jpeg)
        let original = try recognizer.recognize(upright, models: models).faces
        let turned = try recognizer.recognize(decoder.decode(tagged, name: "phone.jpg"), models: models).faces
        try #require(original.count == 1 && turned.count == 1)
        let (a, b) = (original[0].box, turned[0].box)
        #expect(
            abs(a.top - b.top) <= 8 && abs(a.right - b.right) <= 8 && abs(a.bottom - b.bottom) <= 8
                && abs(a.left - b.left) <= 8, "\(a) vs \(b)")
    }

    @Test("Damaged EXIF data leaves the picture as stored: the photo is kept, not refused")
    func damagedExif() throws {
        let source = Self.pattern(width: 32, height: 16)
        let jpeg = try ImageEncoder.jpeg(source, quality: 95)
        var segment = Self.exifSegment(orientation: 6, bigEndian: false)
        // IFD0 offset (bytes 14...17 of the segment: marker 2 + length 2 + "Exif\0\0" 6 + "II*\0" 4)
        // pointing far past the segment, then an entry count larger than the segment.
        for damage in [(14, Self.le32(0x7FFF_FFF0)), (18, Self.le16(0xFFFF)), (22, Self.le16(4))] {
            var broken = segment
            broken.replaceSubrange(damage.0..<damage.0 + damage.1.count, with: damage.1)
            let image = try decoder.decode(Self.inserting(broken, into: jpeg), name: "exif.jpg")
            #expect(image.width == 32 && image.height == 16, "damage at \(damage.0)")
        }
        segment = Self.exifSegment(orientation: 9, bigEndian: true)
        #expect(try decoder.decode(Self.inserting(segment, into: jpeg), name: "nine.jpg").width == 32)
    }
}
