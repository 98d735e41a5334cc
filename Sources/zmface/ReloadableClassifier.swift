import Foundation
import Synchronization
import Workers
import ZMFaceCore

/// The classifier the server names faces with, replaceable while calls run. A file that fails to
/// load leaves the running model in place.
final class ReloadableClassifier: FaceIdentifier {
    private struct Current {
        var path: String
        var minProbaOverride: Double?
        var classifier: FaceClassifier
    }

    private let current: Mutex<Current>

    init(path: String, minProbaOverride: Double?) throws {
        current = Mutex(
            Current(path: path, minProbaOverride: minProbaOverride, classifier: try Self.load(path, minProbaOverride)))
    }

    func identify(_ encoding: FaceEncoding) -> Identification {
        current.withLock { $0.classifier }.identify(encoding)
    }

    var classifier: FaceClassifier { current.withLock { $0.classifier } }
    var path: String { current.withLock { $0.path } }

    /// Loads `path` (default: the current one) and swaps it in only if it loads.
    func reload(path newPath: String? = nil, minProbaOverride: Double?? = .none) throws {
        let (path, override) = current.withLock { ($0.path, $0.minProbaOverride) }
        let chosenPath = newPath ?? path
        let chosenOverride = minProbaOverride ?? override
        let fresh = try Self.load(chosenPath, chosenOverride)
        current.withLock { $0 = Current(path: chosenPath, minProbaOverride: chosenOverride, classifier: fresh) }
    }

    private static func load(_ path: String, _ minProbaOverride: Double?) throws -> FaceClassifier {
        var model = try FaceClassifierModel.load(from: URL(fileURLWithPath: path))
        if let minProbaOverride { model.openSet.minProba = minProbaOverride }
        return FaceClassifier(model: model)
    }
}
