public import Foundation
public import ZMFaceCore

/// One chosen frame of an event: its pixels, or why there are none.
public struct DecodedFrame: Sendable {
    public var frameID: Int
    public var time: Date
    public var score: Int
    public var image: Result<RGBImage, FrameReadError>
}

public struct FrameReadError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Reads the chosen frames of an event from its folder: `%05d-capture.jpg` when ZoneMinder saved
/// JPEGs, otherwise (or when a JPEG is missing or corrupt) the n-th frame of the event video. Each
/// frame is decoded once, on the reader's own thread, never on the cooperative pool.
public final class EventFrameReader: EventFrameSource {
    private let stills: any StillImageDecoding
    private let thread: DedicatedThread<Void>
    private let maxPixels: Int

    public init(stills: any StillImageDecoding, maxPixels: Int = 40_000_000) {
        self.stills = stills
        self.maxPixels = maxPixels
        self.thread = DedicatedThread(name: "frame-decoder") { () }
    }

    public func close() {
        thread.stop()
    }

    /// The wanted frames, decoded one at a time on the reader's thread and delivered as they are
    /// ready (JPEG frames first, then those the video must give, in one pass over it). Before each
    /// frame the decoder takes a slot of `window`; the stream fails with `EventFolderMissing` when
    /// the event's folder is gone.
    public func frames(
        of event: ZoneMinderEvent, wanted: [Int], rows: [ZoneMinderFrame], window: FrameWindow
    ) -> AsyncThrowingStream<DecodedFrame, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: DecodedFrame.self)
        continuation.onTermination = { _ in window.close() }
        let (stills, maxPixels, thread) = (stills, maxPixels, thread)
        Task {
            do {
                let found = try await thread.perform { _ in
                    Self.readSync(event, frames: wanted, rows: rows, stills: stills, maxPixels: maxPixels) { frame in
                        guard window.acquire() else { return false }
                        continuation.yield(frame)
                        return true
                    }
                }
                continuation.finish(throwing: found ? nil : EventFolderMissing(directory: event.directory))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return stream
    }

    /// Reads on the calling thread, handing each frame to `deliver` as soon as it is decoded;
    /// `deliver` returns false to stop. False when the folder is gone.
    static func readSync(
        _ event: ZoneMinderEvent, frames wanted: [Int], rows: [ZoneMinderFrame], stills: any StillImageDecoding,
        maxPixels: Int, deliver: (DecodedFrame) -> Bool
    ) -> Bool {
        let directory = event.directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else { return false }
        let rowByID = Dictionary(rows.map { ($0.frameID, $0) }, uniquingKeysWith: { first, _ in first })
        let secondsPerFrame = event.frameCount > 0 ? event.length / Double(event.frameCount) : 0
        func frame(_ id: Int, _ image: Result<RGBImage, FrameReadError>) -> DecodedFrame {
            let row = rowByID[id]
            let delta = row?.delta ?? Double(id - 1) * secondsPerFrame
            return DecodedFrame(
                frameID: id, time: event.start.addingTimeInterval(delta), score: row?.score ?? 0, image: image)
        }
        var jpegErrors: [Int: FrameReadError] = [:]
        var needVideo: [Int] = []
        for id in wanted {
            let path = "\(directory)/\(String(format: "%05d", id))-capture.jpg"
            if event.hasCaptureJPEGs || FileManager.default.fileExists(atPath: path) {
                do {
                    let image = try stills.decodeImage(atPath: path)
                    guard deliver(frame(id, .success(image))) else { return true }
                    continue
                } catch {
                    (error as? any ResourceLimitError)?.breachedLimit?.recordBreach()
                    jpegErrors[id] = FrameReadError(message: "\(error)")
                }
            }
            needVideo.append(id)
        }
        guard !needVideo.isEmpty else { return true }
        func failed(_ id: Int, _ message: String) -> DecodedFrame {
            frame(id, .failure(Self.joined(jpegErrors[id], message)))
        }
        guard let video = videoPath(of: event) else {
            for id in needVideo {
                guard deliver(failed(id, "\(directory): no capture JPEG and no video for frame \(id)")) else { break }
            }
            return true
        }
        var delivered: Set<Int> = []
        do {
            try VideoFrameDecoder.decode(Set(needVideo), ofVideoAt: video, maxPixels: maxPixels) { id, image in
                delivered.insert(id)
                return deliver(frame(id, .success(image)))
            }
        } catch {
            for id in needVideo where !delivered.contains(id) {
                guard deliver(failed(id, error.description)) else { return true }
            }
            return true
        }
        for id in needVideo where !delivered.contains(id) {
            guard deliver(failed(id, "\(video): has no frame \(id)")) else { break }
        }
        return true
    }

    /// All the wanted frames at once (tests and tools; ingestion streams them with `frames`); nil
    /// when the folder is gone.
    static func readSync(
        _ event: ZoneMinderEvent, frames wanted: [Int], rows: [ZoneMinderFrame], stills: any StillImageDecoding,
        maxPixels: Int
    ) -> [DecodedFrame]? {
        var frames: [DecodedFrame] = []
        let found = readSync(event, frames: wanted, rows: rows, stills: stills, maxPixels: maxPixels) {
            frames.append($0)
            return true
        }
        guard found else { return nil }
        let order = Dictionary(wanted.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return frames.sorted { order[$0.frameID, default: 0] < order[$1.frameID, default: 0] }
    }

    /// The JPEG's error (if any) and then the video's, so the log says why both failed.
    private static func joined(_ earlier: FrameReadError?, _ message: String) -> FrameReadError {
        if let earlier { return FrameReadError(message: "\(earlier.message); \(message)") }
        return FrameReadError(message: message)
    }

    /// `DefaultVideo` when set and non-empty on disk. A crash leaves a 36-byte file and an
    /// MPEG-TS passthrough failure a 0-byte one with `DefaultVideo=''`; the decoder reports the
    /// former, the latter is not a video at all.
    static func videoPath(of event: ZoneMinderEvent) -> String? {
        guard !event.defaultVideo.isEmpty, !event.defaultVideo.contains("/") else { return nil }
        let path = "\(event.directory)/\(event.defaultVideo)"
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0
        else { return nil }
        return path
    }

    /// The highest N of the `NNNNN-capture.jpg` files in the folder (0 when there are none).
    public func captureCount(inDirectory directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in
            name.hasSuffix("-capture.jpg") ? Int(name.dropLast("-capture.jpg".count)) : nil
        }.max() ?? 0
    }

    /// Newest modification time of anything in the event folder (nil when the folder is gone).
    public func lastChange(ofDirectory directory: String) -> Date? {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return nil }
        var newest = (try? manager.attributesOfItem(atPath: directory))?[.modificationDate] as? Date ?? .distantPast
        for name in names {
            if let date = (try? manager.attributesOfItem(atPath: "\(directory)/\(name)"))?[.modificationDate] as? Date {
                newest = max(newest, date)
            }
        }
        return newest
    }
}
