internal import CXGBoost
import Foundation
import Synchronization

/// Gradient-boosted trees through XGBoost's C API (the original's second classifier). The booster
/// itself is stored as XGBoost's own JSON model inside the zmface model file.
public struct XGBoostModel: Codable, Sendable, Equatable {
    /// XGBoost's JSON model, base64.
    public var booster: String
    public var parameters: [String: String]
    public var rounds: Int

    package init(booster: String, parameters: [String: String], rounds: Int) {
        self.booster = booster
        self.parameters = parameters
        self.rounds = rounds
    }
}

public enum XGBoostError: Error, Equatable, CustomStringConvertible {
    case library(String)

    public var description: String {
        switch self {
        case .library(let message): "XGBoost: \(message)"
        }
    }
}

private func check(_ status: Int32) throws(XGBoostError) {
    guard status == 0 else { throw .library(String(cString: XGBGetLastError())) }
}

/// Owns the loaded boosters. XGBoost's C handles are not documented as safe for concurrent use, so
/// each prediction holds the lock; predictions take microseconds next to a face encoding.
package final class XGBoostRuntime: Sendable {
    package static let shared = XGBoostRuntime()

    /// Booster handles keyed by their model text. `@unchecked Sendable` is safe because the handles
    /// are only touched while `boosters` is locked.
    private struct Handle: @unchecked Sendable { let pointer: BoosterHandle }
    private let boosters = Mutex<[String: Handle]>([:])

    package func probabilities(_ model: XGBoostModel, encoding: [Float], classCount: Int) throws(XGBoostError)
        -> [Double]
    {
        try probabilities(model, rows: [encoding], classCount: classCount)[0]
    }

    package func probabilities(_ model: XGBoostModel, rows: [[Float]], classCount: Int) throws(XGBoostError)
        -> [[Double]]
    {
        try boosters.withLock { (cache) throws(XGBoostError) -> [[Double]] in
            let booster: BoosterHandle
            if let loaded = cache[model.booster] {
                booster = loaded.pointer
            } else {
                booster = try Self.load(model)
                cache[model.booster] = Handle(pointer: booster)
            }
            let matrix = try DenseMatrix(rows: rows)
            defer { matrix.free() }
            var length: bst_ulong = 0
            var result: UnsafePointer<Float>?
            try check(XGBoosterPredict(booster, matrix.handle, 0, 0, 0, &length, &result))
            guard let result, Int(length) == rows.count * classCount else {
                throw .library("prediction has \(length) values, expected \(rows.count * classCount)")
            }
            return (0..<rows.count).map { row in (0..<classCount).map { Double(result[row * classCount + $0]) } }
        }
    }

    private static func load(_ model: XGBoostModel) throws(XGBoostError) -> BoosterHandle {
        guard let json = Data(base64Encoded: model.booster) else { throw .library("booster is not base64") }
        var booster: BoosterHandle?
        try check(XGBoosterCreate(nil, 0, &booster))
        guard let booster else { throw .library("no booster") }
        let status = json.withUnsafeBytes { XGBoosterLoadModelFromBuffer(booster, $0.baseAddress, bst_ulong($0.count)) }
        if status != 0 {
            XGBoosterFree(booster)
            try check(status)
        }
        try check(XGBoosterSetParam(booster, "nthread", "1"))
        return booster
    }
}

/// A DMatrix over dense float rows.
private struct DenseMatrix {
    let handle: DMatrixHandle

    init(rows: [[Float]], labels: [Float]? = nil) throws(XGBoostError) {
        let columns = rows.first?.count ?? 0
        let flat = rows.flatMap { $0 }
        var handle: DMatrixHandle?
        try check(XGDMatrixCreateFromMat(flat, bst_ulong(rows.count), bst_ulong(columns), .nan, &handle))
        guard let handle else { throw .library("no matrix") }
        self.handle = handle
        if let labels {
            try check(XGDMatrixSetFloatInfo(handle, "label", labels, bst_ulong(labels.count)))
        }
    }

    func free() {
        XGDMatrixFree(handle)
    }
}

extension XGBoostRuntime {
    /// Trains a booster for `rounds` rounds on labelled rows with XGBoost's own parameters and
    /// returns its JSON model, base64 (what `XGBoostModel.booster` holds). The hyper-parameter search
    /// lives in the Training module; the C calls stay behind this wrapper.
    package func train(rows: [[Float]], labels: [Float], parameters: [String: String], rounds: Int)
        throws(XGBoostError) -> String
    {
        let matrix = try DenseMatrix(rows: rows, labels: labels)
        defer { matrix.free() }
        var booster: BoosterHandle?
        var handles: [DMatrixHandle?] = [matrix.handle]
        try check(XGBoosterCreate(&handles, 1, &booster))
        guard let booster else { throw .library("no booster") }
        defer { XGBoosterFree(booster) }
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            try check(XGBoosterSetParam(booster, key, value))
        }
        for round in 0..<rounds { try check(XGBoosterUpdateOneIter(booster, Int32(round), matrix.handle)) }
        var length: bst_ulong = 0
        var buffer: UnsafePointer<CChar>?
        try check(XGBoosterSaveModelToBuffer(booster, "{\"format\": \"json\"}", &length, &buffer))
        guard let buffer else { throw .library("empty model") }
        return Data(bytes: buffer, count: Int(length)).base64EncodedString()
    }
}
