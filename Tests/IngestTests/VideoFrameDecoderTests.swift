import Foundation
import Testing
import Workers
import ZMFaceCore

@testable import Ingest

/// Real videos made by the ffmpeg command line (installed by scripts/setup): a numbered test
/// pattern whose frames differ, encoded as fragmented H.264 like ZoneMinder's event videos.
enum VideoFixtures {
    static let directory: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zmface-video-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-hide_banner", "-loglevel", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "ffmpeg \(arguments) failed")
    }

    /// `frames` frames of 640x480 at 10 fps; also writes each frame as a PNG for comparison.
    static func video(frames: Int, name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try run([
            "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=10", "-frames:v", "\(frames)", "-c:v", "libx264",
            "-pix_fmt", "yuv420p", "-g", "10", "-bf", "2", "-movflags", "frag_keyframe+empty_moov", path,
        ])
        return path
    }
}

@Suite("event video decoding (libavformat/libavcodec/libswscale)")
struct VideoFrameDecoderTests {
    @Test("frame n is the n-th decoded frame: the same pixels ffmpeg gives for that frame index")
    func exactFrames() throws {
        let video = try VideoFixtures.video(frames: 30, name: "exact.mp4")
        let decoded = try VideoFrameDecoder.frames([1, 12, 30], ofVideoAt: video)
        #expect(decoded.keys.sorted() == [1, 12, 30])
        for n in [1, 12, 30] {
            let png = VideoFixtures.directory.appendingPathComponent("exact-\(n).png").path
            try VideoFixtures.run(["-i", video, "-vf", "select=eq(n\\,\(n - 1))", "-frames:v", "1", png])
            let reference = try ImageDecoder().decode(fileAtPath: png)
            let image = try #require(decoded[n])
            #expect(image.width == 640 && image.height == 480)
            // Both convert YUV420 to RGB with swscale; allow small rounding differences.
            let differences = zip(image.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }
            let mean = Double(differences.reduce(0, +)) / Double(differences.count)
            #expect(mean < 3, "frame \(n) differs from ffmpeg's frame \(n - 1) by \(mean) on average")
        }
        #expect(decoded[1]!.pixels != decoded[12]!.pixels)
    }

    @Test("frames past the end are absent, not invented")
    func pastEnd() throws {
        let video = try VideoFixtures.video(frames: 5, name: "short.mp4")
        let decoded = try VideoFrameDecoder.frames([5, 6, 40], ofVideoAt: video)
        #expect(decoded.keys.sorted() == [5])
    }

    @Test("a 36-byte MP4 left by a crashed zmc, a 0-byte file and a text file are clear errors")
    func brokenFiles() throws {
        let video = try VideoFixtures.video(frames: 5, name: "full.mp4")
        let data = try Data(contentsOf: URL(fileURLWithPath: video))
        for (name, bytes) in [("crash.mp4", data.prefix(36)), ("empty.mp4", Data()), ("text.mp4", Data("hello".utf8))] {
            let path = VideoFixtures.directory.appendingPathComponent(name).path
            try bytes.write(to: URL(fileURLWithPath: path))
            #expect(throws: VideoDecodingError.self, "\(name)") {
                _ = try VideoFrameDecoder.frames([1], ofVideoAt: path)
            }
        }
    }

    @Test("a truncated video yields the frames before the cut and no error")
    func truncated() throws {
        let video = try VideoFixtures.video(frames: 40, name: "long.mp4")
        let data = try Data(contentsOf: URL(fileURLWithPath: video))
        let path = VideoFixtures.directory.appendingPathComponent("cut.mp4").path
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        let decoded = try VideoFrameDecoder.frames([1, 2, 40], ofVideoAt: path)
        #expect(decoded[1] != nil && decoded[2] != nil)
        #expect(decoded[40] == nil)
    }
}

@Suite("reading an event's frames")
struct EventFrameReaderTests {
    @Test("JPEGs first, the video for missing or corrupt JPEGs, an error when neither has the frame")
    func fallbacks() throws {
        let storage = VideoFixtures.directory.appendingPathComponent("storage-\(UUID())")
        let event = makeEvent(
            id: 9, scheme: .shallow, frames: 10, saveJPEGs: 1, video: "9-video.mp4", storage: storage.path)
        try FileManager.default.createDirectory(atPath: event.directory, withIntermediateDirectories: true)
        let video = try VideoFixtures.video(frames: 10, name: "event9.mp4")
        try FileManager.default.copyItem(atPath: video, toPath: event.directory + "/9-video.mp4")
        try VideoFixtures.run([
            "-i", video, "-vf", "select=eq(n\\,0)", "-frames:v", "1", event.directory + "/00001-capture.jpg",
        ])
        try Data("not a jpeg".utf8).write(to: URL(fileURLWithPath: event.directory + "/00002-capture.jpg"))
        let frames = try #require(
            EventFrameReader.readSync(
                event, frames: [1, 2, 3, 11], rows: [], stills: ImageDecoder(), maxPixels: 1 << 30))
        #expect(frames.map(\.frameID) == [1, 2, 3, 11])
        #expect((try? frames[0].image.get()) != nil)
        #expect((try? frames[1].image.get()) != nil, "a corrupt JPEG falls back to the video")
        #expect((try? frames[2].image.get()) != nil, "a missing JPEG falls back to the video")
        guard case .failure(let error) = frames[3].image else {
            Issue.record("frame 11 does not exist")
            return
        }
        #expect(error.message.contains("no frame 11"))
    }

    @Test("streaming: the decoder stays within the window, waits for a slot, and resumes when one is given back")
    func windowBoundsDecodedFrames() async throws {
        let event = try videoOnlyEvent(id: 12, frames: 30)
        let reader = EventFrameReader(stills: ImageDecoder())
        defer { reader.close() }
        let window = FrameWindow(size: 3)
        let counter = Counter()
        let consumer = Task {
            for try await frame in reader.frames(of: event, wanted: Array(1...30), rows: [], window: window) {
                #expect((try? frame.image.get()) != nil)
                await counter.increment()
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while await counter.value < 3 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(500))
        let early = await counter.value
        #expect(early == 3, "three slots, none given back: the decoder waits after three frames (got \(early))")
        for _ in 0..<27 { window.release() }
        try await consumer.value
        #expect(await counter.value == 30)
    }

    /// A ZoneMinder event folder with only its video (SaveJPEGs 0).
    func videoOnlyEvent(id: Int64, frames: Int) throws -> ZoneMinderEvent {
        let storage = VideoFixtures.directory.appendingPathComponent("storage-\(UUID())")
        let event = makeEvent(
            id: id, scheme: .shallow, frames: frames, saveJPEGs: 0, video: "\(id)-video.mp4", storage: storage.path)
        try FileManager.default.createDirectory(atPath: event.directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: try VideoFixtures.video(frames: frames, name: "event\(id).mp4"),
            toPath: event.directory + "/\(id)-video.mp4")
        return event
    }

    actor Counter {
        var value = 0
        func increment() { value += 1 }
    }

    @Test("streaming: a consumer that stops early stops the decoder (the window closes)")
    func earlyStop() async throws {
        let event = try videoOnlyEvent(id: 13, frames: 30)
        let reader = EventFrameReader(stills: ImageDecoder())
        defer { reader.close() }
        let window = FrameWindow(size: 2)
        for try await _ in reader.frames(of: event, wanted: Array(1...30), rows: [], window: window) { break }
        // The decoder thread is free again: a second read of the same event completes.
        var count = 0
        for try await _ in reader.frames(of: event, wanted: [1, 2], rows: [], window: FrameWindow(size: 4)) {
            count += 1
        }
        #expect(count == 2)
    }

    @Test("a deleted event folder reads as nil (the event is skipped as deleted)")
    func deletedFolder() {
        let event = makeEvent(storage: "/nonexistent-\(UUID())")
        #expect(EventFrameReader.readSync(event, frames: [1], rows: [], stills: ImageDecoder(), maxPixels: 1) == nil)
    }

    @Test("a 0-byte video with an empty DefaultVideo is not a video")
    func zeroByteVideo() throws {
        let storage = VideoFixtures.directory.appendingPathComponent("storage-\(UUID())")
        let event = makeEvent(id: 4, scheme: .shallow, frames: 3, saveJPEGs: 0, video: "", storage: storage.path)
        try FileManager.default.createDirectory(atPath: event.directory, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: event.directory + "/4-video.mp4", contents: Data()))
        let frames = try #require(
            EventFrameReader.readSync(event, frames: [1], rows: [], stills: ImageDecoder(), maxPixels: 1))
        guard case .failure(let error) = frames[0].image else {
            Issue.record("expected an error")
            return
        }
        #expect(error.message.contains("no capture JPEG and no video"))
    }
}
