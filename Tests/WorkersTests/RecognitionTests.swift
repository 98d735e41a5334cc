import Foundation
import Testing
import Workers
import ZMFaceCore

/// The recognition core on real photos with the real dlib models: what face_recognition users rely
/// on must hold here too.
@Suite struct RecognitionTests {
    static let singleFacePhotos = [
        "obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "obama_partial_face.jpg", "32bit.png",
    ]

    @Test("HOG finds exactly one face, of a plausible size, in each single-face photo", arguments: singleFacePhotos)
    func oneFacePerPhoto(name: String) throws {
        let models = try Fixtures.models()
        let image = try Fixtures.photo(name)
        let faces = try models.detectFaces(in: image, detector: .hog, upsample: 1)
        try #require(faces.count == 1, "\(name): expected one face, found \(faces.count)")
        let box = faces[0].box
        #expect(box.height > 150 && box.height < 400, "\(name): face height \(box.height)")
        #expect(box.left >= 0 && box.top >= 0 && box.right <= image.width && box.bottom <= image.height)
    }

    @Test("Obama's photos are pairwise within 0.6 of each other; Biden is beyond 0.6 from each")
    func sameAndDifferentPeople() throws {
        let models = try Fixtures.models()
        func encoding(_ name: String) throws -> FaceEncoding {
            let image = try Fixtures.photo(name)
            let face = try #require(try models.detectFaces(in: image, detector: .hog, upsample: 1).first)
            return try models.encodeFace(in: image, box: face.box, jitters: 1)
        }
        let obamas = try ["obama.jpg", "obama2.jpg", "obama3.jpg"].map(encoding)
        let biden = try encoding("biden.jpg")
        for i in obamas.indices {
            for j in obamas.indices where j > i {
                #expect(obamas[i].distance(to: obamas[j]) < 0.6, "obama \(i) vs \(j)")
            }
            #expect(obamas[i].distance(to: biden) > 0.6, "obama \(i) vs biden")
        }
    }

    @Test("The RGBA PNG (a copy of obama2.jpg) decodes and encodes to the same face")
    func rgbaPNGMatchesItsJPEG() throws {
        let models = try Fixtures.models()
        let png = try Fixtures.photo("32bit.png")
        let jpeg = try Fixtures.photo("obama2.jpg")
        #expect(png.width == jpeg.width && png.height == jpeg.height)
        let pngFace = try #require(try models.detectFaces(in: png, detector: .hog, upsample: 1).first)
        let jpegFace = try #require(try models.detectFaces(in: jpeg, detector: .hog, upsample: 1).first)
        let distance = try models.encodeFace(in: png, box: pngFace.box, jitters: 1)
            .distance(to: models.encodeFace(in: jpeg, box: jpegFace.box, jitters: 1))
        #expect(distance < 0.1, "RGBA PNG vs JPEG of the same photo: \(distance)")
    }

    @Test("Jittered encodings are reproducible call after call and differ from the unjittered one")
    func jitterIsDeterministic() throws {
        let models = try Fixtures.models()
        let image = try Fixtures.photo("obama.jpg")
        let face = try #require(try models.detectFaces(in: image, detector: .hog, upsample: 1).first)
        let first = try models.encodeFace(in: image, box: face.box, jitters: 3)
        let second = try models.encodeFace(in: image, box: face.box, jitters: 3)
        let plain = try models.encodeFace(in: image, box: face.box, jitters: 1)
        #expect(first == second)
        #expect(first != plain)
        // Three jittered crops (flips, small rotations and shifts) still describe the same person.
        #expect(first.distance(to: plain) < 0.3)
    }

    @Test("A second model set, as each worker loads its own, gives bit-identical results on another thread")
    func secondSetOnAnotherThread() throws {
        let models = try Fixtures.models()
        let copy = try Fixtures.models()
        let image = try Fixtures.photo("biden.jpg")
        let face = try #require(try models.detectFaces(in: image, detector: .hog, upsample: 1).first)
        let expected = try models.encodeFace(in: image, box: face.box, jitters: 1)

        // The semaphore orders the worker thread's write before this thread's read.
        let slot = Slot(copy)
        let done = DispatchSemaphore(value: 0)
        Thread {
            slot.result = try? slot.models.encodeFace(in: image, box: face.box, jitters: 1)
            done.signal()
        }.start()
        done.wait()
        let encoding = try #require(slot.result)
        #expect(encoding == expected)
    }

    @Test("The CNN detector finds the face HOG finds, with overlapping boxes")
    func cnnAgreesWithHOG() throws {
        let models = try Fixtures.models()
        let image = try Fixtures.photo("obama.jpg")
        let hog = try #require(try models.detectFaces(in: image, detector: .hog, upsample: 0).first)
        let cnn = try models.detectFaces(in: image, detector: .cnn, upsample: 0)
        try #require(cnn.count == 1, "CNN found \(cnn.count) faces")
        let overlap = FaceBox(
            top: max(hog.box.top, cnn[0].box.top), right: min(hog.box.right, cnn[0].box.right),
            bottom: min(hog.box.bottom, cnn[0].box.bottom), left: max(hog.box.left, cnn[0].box.left))
        #expect(Double(overlap.area) / Double(hog.box.area) > 0.5)
    }

    @Test("A picture without a face yields no detections, not an error")
    func noFace() throws {
        let models = try Fixtures.models()
        let grey = try #require(
            RGBImage(width: 320, height: 240, pixels: [UInt8](repeating: 128, count: 320 * 240 * 3)))
        #expect(try models.detectFaces(in: grey, detector: .hog, upsample: 1).isEmpty)
    }

    @Test("Out-of-range settings are Swift errors, never a crash")
    func invalidArguments() throws {
        let models = try Fixtures.models()
        let image = try Fixtures.photo("obama.jpg")
        #expect(throws: RecognitionError.self) { try models.detectFaces(in: image, detector: .hog, upsample: 9) }
        #expect(throws: RecognitionError.self) { try models.detectFaces(in: image, detector: .cnn, upsample: 5) }
        #expect(throws: RecognitionError.self) {
            try models.encodeFace(in: image, box: FaceBox(top: 10, right: 10, bottom: 10, left: 10), jitters: 1)
        }
        #expect(throws: RecognitionError.self) {
            try models.encodeFace(in: image, box: FaceBox(top: 0, right: 100, bottom: 100, left: 0), jitters: -1)
        }
    }

    @Test("A model file that is not a dlib model fails to load with dlib's reason")
    func corruptModelFile() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = ModelFiles(directory: directory)
        try Data("not a model".utf8).write(to: files.shapePredictor)
        try Data(count: 100).write(to: files.resnet)
        #expect {
            _ = try FaceModelSet(files: files)
        } throws: { error in
            guard case RecognitionError.modelLoadFailed(_, let reason) = error else { return false }
            return !reason.isEmpty
        }
    }

    @Test("Missing model files name the fix")
    func missingModels() throws {
        #expect {
            _ = try ModelFiles.locate(explicit: "/nonexistent/models")
        } throws: { error in
            "\(error)".contains("scripts/setup")
        }
    }
}

/// Hands a model set to exactly one other thread and carries its result back.
/// Safe because the test touches it from one thread at a time, ordered by a semaphore.
private final class Slot: @unchecked Sendable {
    let models: FaceModelSet
    var result: FaceEncoding?
    init(_ models: FaceModelSet) { self.models = models }
}
