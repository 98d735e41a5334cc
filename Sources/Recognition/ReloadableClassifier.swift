import Foundation
import Synchronization
public import Workers
public import ZMFaceCore

/// The classifier the server names faces with, replaceable while calls run. A file that fails to
/// load leaves the running model in place.
public final class ReloadableClassifier: FaceIdentifier {
    private struct Current {
        var path: String
        var minProbaOverride: Double?
        var classifier: FaceClassifier
        /// `<kind>-<first 12 hex digits of the file's sha256>`, recorded with every stored result.
        var version: String
        /// Set when the configured minProba names far fewer faces than the model's own rule.
        var minProbaWarning: String?
    }

    private let current: Mutex<Current>
    /// The people (`people(of:)`) of every model swapped in by `reload`, newest only if nobody
    /// has read it yet (MQTT publishes a Home Assistant entity for each person the model knows).
    public let reloadedPeople: AsyncStream<[String]>
    private let reloadedContinuation: AsyncStream<[String]>.Continuation

    public init(path: String, minProbaOverride: Double?) throws {
        let (classifier, warning) = try Self.load(path, minProbaOverride)
        current = Mutex(
            Current(
                path: path, minProbaOverride: minProbaOverride, classifier: classifier,
                version: Self.version(of: path, classifier), minProbaWarning: warning))
        (reloadedPeople, reloadedContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    deinit {
        reloadedContinuation.finish()
    }

    public func identify(_ encoding: FaceEncoding) throws(RecognitionError) -> Identification {
        do {
            return try current.withLock { $0.classifier }.identify(encoding)
        } catch {
            Telemetry.classifierFailed()
            throw error
        }
    }

    public var classifier: FaceClassifier { current.withLock { $0.classifier } }
    /// The people the running model names.
    public var people: [String] { Self.people(of: classifier.model) }

    /// A model's classes without its trained stranger class ("Unknown"), which names nobody.
    public static func people(of model: FaceClassifierModel) -> [String] {
        model.classes.filter { $0 != model.openSet.unknownClass }
    }
    public var path: String { current.withLock { $0.path } }
    public var modelVersion: String { current.withLock { $0.version } }
    /// Log this at start and after each reload (see `minProbaCost`).
    public var minProbaWarning: String? { current.withLock { $0.minProbaWarning } }

    /// The checksum from the model file's header line (already verified by the loader).
    private static func version(of path: String, _ classifier: FaceClassifier) -> String {
        var header = ""
        if let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }
            let bytes = (try? handle.read(upToCount: 200)) ?? Data()
            header = String(decoding: bytes.prefix { $0 != 10 }, as: UTF8.self)
        }
        let digest =
            header.split(separator: " ").first { $0.hasPrefix("sha256=") }?.dropFirst(7).prefix(12) ?? "unknown"
        return "\(classifier.model.kind.rawValue)-\(digest)"
    }

    /// Loads `path` (default: the current one) and swaps it in only if it loads.
    public func reload(path newPath: String? = nil, minProbaOverride: Double?? = .none) throws {
        let (path, override) = current.withLock { ($0.path, $0.minProbaOverride) }
        let chosenPath = newPath ?? path
        let chosenOverride = minProbaOverride ?? override
        let (fresh, warning) = try Self.load(chosenPath, chosenOverride)
        let version = Self.version(of: chosenPath, fresh)
        current.withLock {
            $0 = Current(
                path: chosenPath, minProbaOverride: chosenOverride, classifier: fresh, version: version,
                minProbaWarning: warning)
        }
        reloadedContinuation.yield(Self.people(of: fresh.model))
    }

    private static func load(_ path: String, _ minProbaOverride: Double?) throws -> (FaceClassifier, String?) {
        var model = try FaceClassifierModel.load(from: URL(fileURLWithPath: path))
        let warning = minProbaOverride.flatMap { minProbaCost(of: $0, for: model) }
        if let minProbaOverride { model.openSet.minProba = minProbaOverride }
        return (FaceClassifier(model: model), warning)
    }

    /// A configured minProba (`classifier.minProba`, or the original config.json's 0.9) is honoured,
    /// but when the model's own calibration says it names far fewer known faces than the model's
    /// chosen rule (below 80 % of that share), the server says so, with both figures.
    public static func minProbaCost(of configured: Double, for model: FaceClassifierModel) -> String? {
        // Only an estimate made on data (not the fallback or thresholds given by hand) can say.
        guard let estimate = model.calibration, estimate.knownFaces > 0,
            configured > model.openSet.minProba, estimate.namedCorrectly > 0,
            let configuredShare = estimate.namedCorrectly(atMinProba: configured),
            configuredShare < 0.8 * estimate.namedCorrectly
        else { return nil }
        return String(
            format:
                "the configured minProba %.2f names about %.0f%% of known faces on the model's calibration data, "
                + "the model's own minProba %.2f about %.0f%% (strangers named: %.1f%%); the configured value is "
                + "used: remove classifier.minProba (or the original config.json's minProba) to use the model's",
            configured, configuredShare * 100, model.openSet.minProba, estimate.namedCorrectly * 100,
            estimate.strangersNamed * 100)
    }
}
