public import Foundation
public import Workers
public import ZMFaceCore

/// The output of `zmface encode`: one encoding per usable dataset image with its label, and every
/// image that could not be used with the reason. Doubles as the encode cache: entries are keyed by
/// the image's content hash and reused when the encoder settings match.
public struct EncodingSet: Codable, Sendable {
    public static let formatName = "zmface-encodings"
    public static let formatVersion = 1

    public struct Sample: Codable, Sendable {
        public var path: String
        public var label: String
        public var sha256: String
        /// How many faces the image had (the largest was encoded).
        public var faces: Int
        public var encoding: FaceEncoding

        public init(path: String, label: String, sha256: String, faces: Int, encoding: FaceEncoding) {
            self.path = path
            self.label = label
            self.sha256 = sha256
            self.faces = faces
            self.encoding = encoding
        }
    }

    public struct Skipped: Codable, Sendable {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    public var format = Self.formatName
    public var formatVersion = Self.formatVersion
    public var encoder: FaceClassifierModel.EncoderSettings
    public var samples: [Sample]
    public var skipped: [Skipped]

    public init(encoder: FaceClassifierModel.EncoderSettings, samples: [Sample], skipped: [Skipped]) {
        self.encoder = encoder
        self.samples = samples
        self.skipped = skipped
    }

    public var labelled: LabelledEncodings {
        LabelledEncodings(encodings: samples.map(\.encoding), names: samples.map(\.label))
    }

    public static func load(from url: URL) throws -> EncodingSet {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EncodingSetError.unreadable(path: url.path, reason: (error as NSError).localizedDescription)
        }
        do {
            let set = try JSONDecoder().decode(EncodingSet.self, from: data)
            guard set.format == formatName else { throw EncodingSetError.notEncodings(path: url.path) }
            guard set.formatVersion == formatVersion else {
                throw EncodingSetError.invalid(
                    path: url.path, reason: "format version \(set.formatVersion) is not supported")
            }
            return set
        } catch let error as EncodingSetError {
            throw error
        } catch {
            throw EncodingSetError.invalid(path: url.path, reason: "\(error)")
        }
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// Hex SHA-256 of a file's bytes: the cache key of an image.
    public static func contentHash(_ data: Data) -> String {
        sha256Hex(data)
    }
}

public enum EncodingSetError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notEncodings(path: String)
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read encodings (\(reason))"
        case .notEncodings(let path): "\(path): not a zmface encodings file (make one with `zmface encode`)"
        case .invalid(let path, let reason): "\(path): invalid encodings file: \(reason)"
        }
    }
}
