internal import CFFmpeg
import Foundation
public import ZMFaceCore

/// Why frames could not be taken from an event video.
public enum VideoDecodingError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case noVideoStream(path: String)
    case decoder(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "\(path): cannot open video: \(reason)"
        case .noVideoStream(let path): "\(path): no video stream"
        case .decoder(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// Takes chosen frames out of a ZoneMinder event video with libavformat/libavcodec/libswscale.
/// ZoneMinder's FrameId n is the n-th decoded frame (checked against its capture JPEGs), which a
/// timestamp seek cannot hit exactly with B-frames and 2-decimal deltas; so the decoder reads from
/// the start, converts only the wanted frames to RGB and stops after the last one.
public enum VideoFrameDecoder {
    /// The wanted frames it found, all at once (tests and the benchmark; ingestion streams them with
    /// `decode`); frames past the end of a short or truncated video are simply absent.
    public static func frames(_ wanted: Set<Int>, ofVideoAt path: String, maxPixels: Int = 40_000_000)
        throws(VideoDecodingError) -> [Int: RGBImage]
    {
        var images: [Int: RGBImage] = [:]
        try decode(wanted, ofVideoAt: path, maxPixels: maxPixels) { id, image in
            images[id] = image
            return true
        }
        return images
    }

    /// Hands each wanted frame to `each` as soon as it is decoded, in frame order, keeping none:
    /// `each` returns false to stop early. Frames past the end of a short or truncated video are
    /// simply never handed over (the caller reports them). Throws when the file cannot be read as
    /// video at all.
    public static func decode(
        _ wanted: Set<Int>, ofVideoAt path: String, maxPixels: Int = 40_000_000,
        each: (Int, RGBImage) -> Bool
    ) throws(VideoDecodingError) {
        guard let last = wanted.max(), last > 0 else { return }
        var format: UnsafeMutablePointer<AVFormatContext>? = nil
        var status = avformat_open_input(&format, path, nil, nil)
        guard status >= 0, format != nil else { throw .cannotOpen(path: path, reason: errorText(status)) }
        defer { avformat_close_input(&format) }
        status = avformat_find_stream_info(format, nil)
        guard status >= 0 else { throw .cannotOpen(path: path, reason: errorText(status)) }
        let streamIndex = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard streamIndex >= 0, let stream = format!.pointee.streams[Int(streamIndex)] else {
            throw .noVideoStream(path: path)
        }
        guard let codec = avcodec_find_decoder(stream.pointee.codecpar.pointee.codec_id) else {
            throw .decoder(path: path, reason: "no decoder for this codec")
        }
        var context = avcodec_alloc_context3(codec)
        guard context != nil else { throw .decoder(path: path, reason: "out of memory") }
        defer { avcodec_free_context(&context) }
        avcodec_parameters_to_context(context, stream.pointee.codecpar)
        // One thread: the decode runs on ingestion's thread while the recognition workers use the cores.
        context!.pointee.thread_count = 1
        status = avcodec_open2(context, codec, nil)
        guard status >= 0 else { throw .decoder(path: path, reason: errorText(status)) }

        var packet = av_packet_alloc()
        var frame = av_frame_alloc()
        defer {
            av_packet_free(&packet)
            av_frame_free(&frame)
        }
        guard packet != nil, frame != nil else { throw .decoder(path: path, reason: "out of memory") }
        var converter = RGBConverter()
        defer { converter.release() }
        var decoded = 0
        var draining = false

        func receiveFrames() throws(VideoDecodingError) -> Bool {
            while true {
                let received = avcodec_receive_frame(context, frame)
                if received == cffmpeg_averror_eagain() || received == cffmpeg_averror_eof() { return false }
                guard received >= 0 else { throw .decoder(path: path, reason: errorText(received)) }
                decoded += 1
                if wanted.contains(decoded) {
                    let width = Int(frame!.pointee.width)
                    let height = Int(frame!.pointee.height)
                    guard width * height <= maxPixels else {
                        ResourceLimit.imagePixels.recordBreach()
                        throw .decoder(path: path, reason: "\(width)x\(height) frames exceed the pixel limit")
                    }
                    let image = try converter.convert(frame!, path: path)
                    av_frame_unref(frame)
                    guard each(decoded, image) else { return true }
                } else {
                    av_frame_unref(frame)
                }
                if decoded >= last { return true }
            }
        }

        while !draining {
            let read = av_read_frame(format, packet)
            if read < 0 {
                // End of file (or a truncated tail): flush the decoder for the frames it still holds.
                draining = true
                avcodec_send_packet(context, nil)
            } else {
                defer { av_packet_unref(packet) }
                guard packet!.pointee.stream_index == streamIndex else { continue }
                let sent = avcodec_send_packet(context, packet)
                // A damaged packet loses its frame but not the rest of the video.
                if sent < 0 && sent != cffmpeg_averror_eagain() { continue }
            }
            if try receiveFrames() { break }
        }
    }

    private static func errorText(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        av_strerror(code, &buffer, buffer.count)
        return String(zeroTerminated: buffer)
    }

    /// Converts decoded frames (any pixel format) to packed RGB24, reusing one swscale context.
    private struct RGBConverter {
        private var context: OpaquePointer?

        mutating func convert(_ frame: UnsafeMutablePointer<AVFrame>, path: String) throws(VideoDecodingError)
            -> RGBImage
        {
            let width = frame.pointee.width
            let height = frame.pointee.height
            context = sws_getCachedContext(
                context, width, height, AVPixelFormat(frame.pointee.format), width, height, AV_PIX_FMT_RGB24,
                Int32(SWS_BILINEAR), nil, nil, nil)
            guard let context else { throw .decoder(path: path, reason: "cannot convert pixel format") }
            var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
            let scaled = pixels.withUnsafeMutableBufferPointer { buffer -> Int32 in
                var planes: [UnsafeMutablePointer<UInt8>?] = [buffer.baseAddress, nil, nil, nil]
                var strides: [Int32] = [width * 3, 0, 0, 0]
                return withUnsafePointer(to: &frame.pointee.data) { data in
                    withUnsafePointer(to: &frame.pointee.linesize) { lines in
                        data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { source in
                            lines.withMemoryRebound(to: Int32.self, capacity: 8) { sourceStrides in
                                sws_scale(context, source, sourceStrides, 0, height, &planes, &strides)
                            }
                        }
                    }
                }
            }
            guard scaled == height, let image = RGBImage(width: Int(width), height: Int(height), pixels: pixels) else {
                throw .decoder(path: path, reason: "pixel conversion failed")
            }
            return image
        }

        mutating func release() {
            sws_freeContext(context)
            context = nil
        }
    }
}
