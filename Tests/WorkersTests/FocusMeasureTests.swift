import Testing
import Workers
import ZMFaceCore

/// The blur gate must compute what the original's OpenCV call computed, or its thresholds
/// (focusMeasureThreshold) change meaning. Expected values here are worked out by hand; the
/// cross-implementation test compares with OpenCV itself on real faces.
@Suite struct FocusMeasureTests {
    private func image(width: Int, height: Int, grey: (Int, Int) -> UInt8) throws -> RGBImage {
        var pixels = [UInt8]()
        for y in 0..<height {
            for x in 0..<width {
                let value = grey(x, y)
                pixels += [value, value, value]
            }
        }
        return try #require(RGBImage(width: width, height: height, pixels: pixels))
    }

    @Test("A flat picture has zero variance")
    func flat() throws {
        let flat = try image(width: 8, height: 6) { _, _ in 77 }
        #expect(FocusMeasure.varianceOfLaplacian(flat, in: FaceBox(top: 0, right: 8, bottom: 6, left: 0)) == 0)
    }

    @Test("A single bright pixel gives the hand-computed variance with reflect-101 borders")
    func impulse() throws {
        // 5x5 grey, one pixel of 100 in the middle: the Laplacian is -400 there, +100 at its four
        // neighbours, 0 elsewhere (the border is far enough away). Mean 0, variance
        // (400² + 4·100²) / 25 = 8000.
        let picture = try image(width: 5, height: 5) { x, y in x == 2 && y == 2 ? 100 : 0 }
        let value = FocusMeasure.varianceOfLaplacian(picture, in: FaceBox(top: 0, right: 5, bottom: 5, left: 0))
        #expect(value == 8000)
    }

    @Test("Reflect-101 at the edge: a bright corner pixel")
    func corner() throws {
        // 3x3, 90 at (0,0). Reflect-101 mirrors index -1 to 1, so the corner's Laplacian is
        // 0+0+0+0-4·90 = -360, and (1,0),(0,1) each see the corner once: +90. Mean = -180/9 = -20;
        // variance = ((-340)² + 2·110² + 6·20²) / 9 = (115600 + 24200 + 2400) / 9 = 15800.
        let picture = try image(width: 3, height: 3) { x, y in x == 0 && y == 0 ? 90 : 0 }
        let value = try #require(
            FocusMeasure.varianceOfLaplacian(picture, in: FaceBox(top: 0, right: 3, bottom: 3, left: 0)))
        #expect(abs(value - 15800) < 1e-9)
    }

    @Test("Colour goes through OpenCV's fixed-point grey weights")
    func greyWeights() throws {
        // Pure red 255 → grey (255·9798 + 16384) >> 15 = 76, in the middle of a black 3x1 strip.
        // In a one-row picture reflect-101 maps rows -1 and 1 back onto row 0 (OpenCV's
        // borderInterpolate for a length of 1), and columns -1 and 3 onto column 1, so the
        // Laplacian row is [152, -152, 152]: variance 152² − (152/3)² = 23104 · 8/9.
        var pixels = [UInt8](repeating: 0, count: 9)
        pixels[3] = 255
        let picture = try #require(RGBImage(width: 3, height: 1, pixels: pixels))
        let value = try #require(
            FocusMeasure.varianceOfLaplacian(picture, in: FaceBox(top: 0, right: 3, bottom: 1, left: 0)))
        #expect(abs(value - 23104.0 * 8 / 9) < 1e-9)
    }

    @Test("An empty box or one outside the picture has no measure")
    func invalidBoxes() throws {
        let picture = try image(width: 4, height: 4) { _, _ in 1 }
        #expect(FocusMeasure.varianceOfLaplacian(picture, in: FaceBox(top: 0, right: 0, bottom: 4, left: 0)) == nil)
        #expect(FocusMeasure.varianceOfLaplacian(picture, in: FaceBox(top: 0, right: 5, bottom: 4, left: 0)) == nil)
        #expect(FocusMeasure.varianceOfLaplacian(picture, in: FaceBox(top: -1, right: 4, bottom: 4, left: 0)) == nil)
    }

    @Test("A sharp face measures far above the original's default threshold of 200; a blurred copy falls")
    func realFace() throws {
        let photo = try Fixtures.photo("obama.jpg")
        let models = try Fixtures.models()
        let face = try #require(try models.detectFaces(in: photo, detector: .hog, upsample: 1).first)
        let sharp = try #require(FocusMeasure.varianceOfLaplacian(photo, in: face.box))
        // Box blur (7x7) of the same picture.
        let radius = 3
        var blurred = photo.pixels
        for y in face.box.top..<face.box.bottom {
            for x in face.box.left..<face.box.right {
                for channel in 0..<3 {
                    var sum = 0
                    var count = 0
                    for dy in -radius...radius {
                        for dx in -radius...radius {
                            let yy = min(max(y + dy, 0), photo.height - 1)
                            let xx = min(max(x + dx, 0), photo.width - 1)
                            sum += Int(photo.pixels[(yy * photo.width + xx) * 3 + channel])
                            count += 1
                        }
                    }
                    blurred[(y * photo.width + x) * 3 + channel] = UInt8(sum / count)
                }
            }
        }
        let soft = try #require(RGBImage(width: photo.width, height: photo.height, pixels: blurred))
        let blurry = try #require(FocusMeasure.varianceOfLaplacian(soft, in: face.box))
        #expect(sharp > 200)
        #expect(blurry < sharp / 4)
    }
}
