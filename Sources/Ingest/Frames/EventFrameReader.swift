public import Foundation
public import ZMFaceCore

/// Decodes a still image file (the capture JPEGs). The executable wires the project's strict
/// libjpeg/libpng decoder in here, so a truncated JPEG is an error and not a grey-padded picture.
public protocol StillImageDecoding: Sendable {
    func decodeImage(atPath path: String) throws -> RGBImage
}

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

    /// Nil when the event's folder is gone (deleted under us).
    public func read(
        _ event: ZoneMinderEvent, frames wanted: [Int], rows: [ZoneMinderFrame]
    ) async throws -> [DecodedFrame]? {
        let stills = stills
        let maxPixels = maxPixels
        return try await thread.perform { _ in
            Self.readSync(event, frames: wanted, rows: rows, stills: stills, maxPixels: maxPixels)
        }
    }

    static func readSync(
        _ event: ZoneMinderEvent, frames wanted: [Int], rows: [ZoneMinderFrame], stills: any StillImageDecoding,
        maxPixels: Int
    ) -> [DecodedFrame]? {
        let directory = event.directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        let rowByID = Dictionary(rows.map { ($0.frameID, $0) }, uniquingKeysWith: { first, _ in first })
        var images: [Int: Result<RGBImage, FrameReadError>] = [:]
        var needVideo: Set<Int> = []
        for id in wanted {
            let path = "\(directory)/\(String(format: "%05d", id))-capture.jpg"
            if event.hasCaptureJPEGs || FileManager.default.fileExists(atPath: path) {
                do {
                    images[id] = .success(try stills.decodeImage(atPath: path))
                    continue
                } catch {
                    (error as? any ResourceLimitError)?.breachedLimit?.recordBreach()
                    images[id] = .failure(FrameReadError(message: "\(error)"))
                }
            }
            needVideo.insert(id)
        }
        if !needVideo.isEmpty {
            let video = videoPath(of: event)
            if let video {
                do {
                    let decoded = try VideoFrameDecoder.frames(needVideo, ofVideoAt: video, maxPixels: maxPixels)
                    for id in needVideo {
                        if let image = decoded[id] {
                            images[id] = .success(image)
                        } else {
                            images[id] = .failure(Self.joined(images[id], "\(video): has no frame \(id)"))
                        }
                    }
                } catch {
                    for id in needVideo {
                        images[id] = .failure(Self.joined(images[id], error.description))
                    }
                }
            } else {
                for id in needVideo {
                    images[id] = .failure(
                        Self.joined(images[id], "\(directory): no capture JPEG and no video for frame \(id)"))
                }
            }
        }
        let secondsPerFrame = event.frameCount > 0 ? event.length / Double(event.frameCount) : 0
        return wanted.map { id in
            let row = rowByID[id]
            let delta = row?.delta ?? Double(id - 1) * secondsPerFrame
            return DecodedFrame(
                frameID: id, time: event.start.addingTimeInterval(delta), score: row?.score ?? 0, image: images[id]!)
        }
    }

    /// The JPEG's error (if any) and then the video's, so the log says why both failed.
    private static func joined(_ earlier: Result<RGBImage, FrameReadError>?, _ message: String) -> FrameReadError {
        if case .failure(let first) = earlier { return FrameReadError(message: "\(first.message); \(message)") }
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
