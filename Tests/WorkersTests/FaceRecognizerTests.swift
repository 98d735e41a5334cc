import Foundation
import Recognition
import Testing
import Workers
import ZMFaceCore

/// The one recognition pipeline (detect → gates → encode → identify) on real photos with the real
/// models. The identifiers here are test doubles that answer a fixed identification, because what
/// is under test is the pipeline's rule for turning that answer into a status and a name.
@Suite struct FaceRecognizerTests {
    /// Answers every encoding with the same identification, or fails like a broken classifier.
    struct FixedIdentifier: FaceIdentifier {
        var answer: Identification?

        func identify(_ encoding: FaceEncoding) throws(RecognitionError) -> Identification {
            guard let answer else { throw .classifierFailed(reason: "booster refused the row") }
            return answer
        }
    }

    static let open = RecognitionSettings(minFace: 0, focusThreshold: 0, maxYaw: .infinity)

    @Test("A named person is recognized with the name; the trained stranger class is unknown with no name")
    func unknownClassRule() throws {
        let (models, image) = (try Fixtures.models(), try Fixtures.photo("obama.jpg"))
        let person = FaceRecognizer(
            settings: Self.open, identifier: FixedIdentifier(answer: .init(name: "obama", probability: 0.97)))
        let named = try person.recognize(image, models: models)
        #expect(named.status == .recognized)
        #expect(named.faces.map(\.name) == ["obama"])

        let stranger = FaceRecognizer(
            settings: Self.open,
            identifier: FixedIdentifier(answer: .init(name: "Unknown", probability: 0.95, isStranger: true)))
        let report = try stranger.recognize(image, models: models)
        #expect(report.status == .unknown)
        #expect(report.faces.map(\.name) == [nil], "the stranger class is never a person's name")
        #expect(report.best?.identification?.name == "Unknown", "the classifier's answer is kept for the legacy field")
        #expect(report.faces[0].encoding != nil && report.faces[0].identification?.probability == 0.95)
    }

    @Test("Without a classifier a face that passes the gates is unknown, encoded and unnamed")
    func noClassifier() throws {
        let report = try FaceRecognizer(settings: Self.open, identifier: nil)
            .recognize(try Fixtures.photo("biden.jpg"), models: try Fixtures.models())
        #expect(report.status == .unknown)
        #expect(report.faces.count == 1 && report.faces[0].encoding != nil && report.faces[0].name == nil)
    }

    @Test("A classifier failure is thrown, never answered as an unknown face")
    func classifierFailureSurfaces() throws {
        let broken = FaceRecognizer(settings: Self.open, identifier: FixedIdentifier(answer: nil))
        #expect(throws: RecognitionError.classifierFailed(reason: "booster refused the row")) {
            try broken.recognize(try Fixtures.photo("obama.jpg"), models: try Fixtures.models())
        }
    }

    @Test("The size gate stops a face before the focus measure; the focus gate before the encoder")
    func gates() throws {
        let (models, image) = (try Fixtures.models(), try Fixtures.photo("obama.jpg"))
        let small = try FaceRecognizer(
            settings: RecognitionSettings(minFace: 10_000, focusThreshold: 0), identifier: nil
        )
        .recognize(image, models: models)
        #expect(small.status == .tooSmall)
        #expect(small.faces.count == 1 && small.faces[0].focus == nil && small.faces[0].encoding == nil)

        let blurry = try FaceRecognizer(
            settings: RecognitionSettings(minFace: 0, focusThreshold: 1e12, maxYaw: .infinity), identifier: nil
        ).recognize(image, models: models)
        #expect(blurry.status == .blurry)
        #expect(blurry.faces.count == 1 && (blurry.faces[0].focus ?? 0) > 0 && blurry.faces[0].encoding == nil)
    }

    @Test("A region is recognised as its own picture: the same faces and encodings, boxes moved to full-image pixels")
    func regionOffsets() throws {
        let (models, image) = (try Fixtures.models(), try Fixtures.photo("obama.jpg"))
        let recognizer = FaceRecognizer(settings: Self.open, identifier: nil)
        let region = FaceBox(top: 50, right: image.width - 60, bottom: image.height - 40, left: 200)
        let cut = try recognizer.recognize(image, in: region, models: models).faces
        let alone = try recognizer.recognize(try #require(image.cropped(to: region)), models: models).faces
        try #require(cut.count == 1 && alone.count == 1)
        let moved = FaceBox(
            top: alone[0].box.top + region.top, right: alone[0].box.right + region.left,
            bottom: alone[0].box.bottom + region.top, left: alone[0].box.left + region.left)
        #expect(cut[0].box == moved)
        #expect(cut[0].encoding == alone[0].encoding)
        let outside = FaceBox(top: 0, right: image.width + 10, bottom: 10, left: 0)
        #expect(try recognizer.recognize(image, in: outside, models: models).status == .badROI)
    }

    @Test("The largest face of a group photo is the one encoded, and every face is counted")
    func largestFace() throws {
        let (models, image) = (try Fixtures.models(), try Fixtures.photo("group-t1.jpg"))
        let recognizer = FaceRecognizer(settings: Self.open, identifier: nil)
        let all = try recognizer.recognize(image, models: models).faces
        try #require(all.count > 2, "the group photo shows several people")
        let (face, found) = try recognizer.recognizeLargestFace(image, models: models)
        #expect(found == all.count)
        let largest = try #require(all.max { $0.box.area < $1.box.area })
        #expect(face?.box == largest.box)
        #expect(face?.encoding == largest.encoding, "the same face gives the same encoding either way")
    }

    @Test("The head turn is about 0 for a frontal face and changes sign in a mirror; the pose gate stops a turned face")
    func poseGate() throws {
        let (models, image) = (try Fixtures.models(), try Fixtures.photo("obama.jpg"))
        let recognizer = FaceRecognizer(settings: Self.open, identifier: nil)
        let yaw = try #require(try recognizer.recognize(image, models: models).faces.first?.yaw)
        #expect(abs(yaw) < 0.15, "obama.jpg looks straight at the camera (yaw \(yaw))")
        var mirrored = [UInt8](repeating: 0, count: image.pixels.count)
        for row in 0..<image.height {
            for column in 0..<image.width {
                let from = (row * image.width + column) * 3
                let to = (row * image.width + image.width - 1 - column) * 3
                mirrored[to..<to + 3] = image.pixels[from..<from + 3]
            }
        }
        let mirror = try #require(RGBImage(width: image.width, height: image.height, pixels: mirrored))
        let mirroredYaw = try #require(try recognizer.recognize(mirror, models: models).faces.first?.yaw)
        #expect(abs(mirroredYaw + yaw) < 0.05, "a mirror turns the head the other way: \(yaw) vs \(mirroredYaw)")

        var strict = Self.open
        strict.maxYaw = abs(yaw) / 2
        let gated = try FaceRecognizer(settings: strict, identifier: nil).recognize(image, models: models)
        #expect(gated.status == .sideFace)
        #expect(gated.faces[0].yaw == yaw && gated.faces[0].focus == nil && gated.faces[0].encoding == nil)
        #expect(RecognitionSettings().maxYaw == 0.35, "the server's default")
    }

    @Test("The encoder given the pose gate's landmarks gives the descriptor it computes on its own, bit for bit")
    func landmarksReused() throws {
        let (models, image) = (try Fixtures.models(), try Fixtures.photo("group-t1.jpg"))
        for face in try models.detectFaces(in: image, detector: .hog, upsample: 1) {
            let landmarks = try models.landmarks(in: image, box: face.box)
            for jitters in [1, 3] {
                #expect(
                    try models.encodeFace(in: image, box: face.box, landmarks: landmarks, jitters: jitters)
                        == models.encodeFace(in: image, box: face.box, jitters: jitters))
            }
        }
    }
}
