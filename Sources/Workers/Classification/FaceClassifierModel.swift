import Crypto
public import Foundation
package import ZMFaceCore

/// A trained face classifier as stored on disk: a documented, portable format (no pickle).
///
/// File layout: one header line `zmface-classifier <formatVersion> sha256=<hex>`, then a JSON body
/// (this struct, keys sorted). The checksum covers the body bytes, so a truncated or altered file is
/// refused when loaded. The body holds the classes, the classifier's parameters, the reference
/// encodings it was trained on (for the distance rule), the encoder settings the encodings were made
/// with, the open-set thresholds, the zmface version and the creation time.
public struct FaceClassifierModel: Codable, Sendable, Equatable {
    public static let formatName = "zmface-classifier"
    public static let formatVersion = 1

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case svm, knn, xgboost
    }

    /// How the training encodings were made; a server using other settings gets a warning.
    public struct EncoderSettings: Codable, Sendable, Equatable {
        public var detector: String
        public var upsample: Int
        public var jitters: Int
        public var descriptorModel = "dlib_face_recognition_resnet_model_v1"
        public var landmarkModel = "shape_predictor_5_face_landmarks"

        public init(detector: String, upsample: Int, jitters: Int) {
            self.detector = detector
            self.upsample = upsample
            self.jitters = jitters
        }
    }

    /// A face is named only if all three hold: top probability ≥ minProba, distance to the nearest
    /// training encoding of that identity ≤ maxDistance, and probability margin over the runner-up ≥
    /// minMargin. Faces of `unknownClass` (the trained stranger class, "Unknown" by the original's
    /// convention) are never named as a person.
    public struct OpenSetRule: Codable, Sendable, Equatable {
        public var minProba: Double
        public var maxDistance: Double
        public var minMargin: Double
        public var unknownClass: String?

        public init(
            minProba: Double = 0.9, maxDistance: Double = 0.6, minMargin: Double = 0, unknownClass: String? = "Unknown"
        ) {
            self.minProba = minProba
            self.maxDistance = maxDistance
            self.minMargin = minMargin
            self.unknownClass = unknownClass
        }
    }

    public var kind: Kind
    public var classes: [String]
    public var encoder: EncoderSettings
    public var openSet: OpenSetRule
    public var zmfaceVersion: String
    public var createdAt: String
    /// Class index of each reference encoding.
    public var referenceLabels: [Int]
    /// The reference encodings: little-endian float32, 128 per encoding, base64.
    public var referenceEncodings: String
    public var svm: SVMModel?
    public var knn: KNNModel?
    public var xgboost: XGBoostModel?
    /// How `openSet` was chosen and its estimated figures; absent in models of earlier versions.
    public var calibration: OperatingPointEstimate?

    package init(
        kind: Kind, classes: [String], encoder: EncoderSettings, openSet: OpenSetRule, zmfaceVersion: String,
        createdAt: String, referenceLabels: [Int], referenceEncodings: String, svm: SVMModel? = nil,
        knn: KNNModel? = nil, xgboost: XGBoostModel? = nil
    ) {
        self.kind = kind
        self.classes = classes
        self.encoder = encoder
        self.openSet = openSet
        self.zmfaceVersion = zmfaceVersion
        self.createdAt = createdAt
        self.referenceLabels = referenceLabels
        self.referenceEncodings = referenceEncodings
        self.svm = svm
        self.knn = knn
        self.xgboost = xgboost
    }

    // MARK: File format

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(self)
        let digest = sha256Hex(body)
        var file = Data("\(Self.formatName) \(Self.formatVersion) sha256=\(digest)\n".utf8)
        file.append(body)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try file.write(to: temporary)
        // rename(2) replaces atomically, so a server watching the file never reads half of it.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ClassifierFileError.unreadable(path: url.path, reason: "cannot write: \(reason)")
        }
    }

    public static func load(from url: URL) throws(ClassifierFileError) -> FaceClassifierModel {
        let path = url.path
        let file: Data
        do {
            file = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        guard let newline = file.firstIndex(of: 0x0A) else { throw .notAModel(path: path) }
        let header = String(decoding: file[file.startIndex..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 3, header[0] == formatName, header[2].hasPrefix("sha256=") else {
            throw .notAModel(path: path)
        }
        guard Int(header[1]) == formatVersion else { throw .unsupportedVersion(path: path, version: String(header[1])) }
        let body = file[file.index(after: newline)...]
        let digest = sha256Hex(body)
        guard "sha256=\(digest)" == header[2] else { throw .checksumMismatch(path: path) }
        let model: FaceClassifierModel
        do {
            model = try JSONDecoder().decode(FaceClassifierModel.self, from: body)
        } catch {
            throw .invalid(path: path, reason: "\(error)")
        }
        try model.validate(path: path)
        return model
    }

    func validate(path: String) throws(ClassifierFileError) {
        guard classes.count >= 2 else { throw .invalid(path: path, reason: "fewer than two classes") }
        guard let references = Data(base64Encoded: referenceEncodings),
            references.count == referenceLabels.count * FaceEncoding.dimensions * 4
        else { throw .invalid(path: path, reason: "reference encodings do not match their labels") }
        guard referenceLabels.allSatisfy({ classes.indices.contains($0) }) else {
            throw .invalid(path: path, reason: "a reference label is not a class")
        }
        switch kind {
        case .svm:
            guard let svm else { throw .invalid(path: path, reason: "svm parameters missing") }
            for pair in svm.pairs {
                guard classes.indices.contains(pair.first), classes.indices.contains(pair.second),
                    pair.supportVectors.count == pair.coefficients.count,
                    pair.supportVectors.allSatisfy({ referenceLabels.indices.contains($0) })
                else { throw .invalid(path: path, reason: "svm pair \(pair.first)-\(pair.second) is inconsistent") }
            }
        case .knn:
            guard let knn, knn.k >= 1 else { throw .invalid(path: path, reason: "knn parameters missing") }
        case .xgboost:
            guard xgboost != nil else { throw .invalid(path: path, reason: "xgboost model missing") }
        }
    }

    package static func packEncodings(_ encodings: [FaceEncoding]) -> String {
        var data = Data(capacity: encodings.count * FaceEncoding.dimensions * 4)
        for encoding in encodings {
            for value in encoding.values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
        }
        return data.base64EncodedString()
    }

    func unpackedReferences() -> [[Float]] {
        let data = Data(base64Encoded: referenceEncodings) ?? Data()
        let bytes = [UInt8](data)
        let dimensions = FaceEncoding.dimensions
        return (0..<referenceLabels.count).map { index in
            (0..<dimensions).map { d in
                let offset = (index * dimensions + d) * 4
                let bits =
                    UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
                    | UInt32(bytes[offset + 3]) << 24
                return Float(bitPattern: bits)
            }
        }
    }
}

/// Why a classifier file cannot be used; every case names the file.
public enum ClassifierFileError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notAModel(path: String)
    case unsupportedVersion(path: String, version: String)
    case checksumMismatch(path: String)
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read classifier (\(reason))"
        case .notAModel(let path):
            "\(path): not a zmface classifier (Python pickles are not supported; train one with `zmface train`)"
        case .unsupportedVersion(let path, let version):
            "\(path): classifier format version \(version) is not supported by this zmface (expects \(FaceClassifierModel.formatVersion))"
        case .checksumMismatch(let path): "\(path): classifier file is corrupt or truncated (checksum mismatch)"
        case .invalid(let path, let reason): "\(path): invalid classifier: \(reason)"
        }
    }
}

/// Lower-case hex SHA-256, for cache keys and model checksums.
package func sha256Hex(_ data: some DataProtocol) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}
