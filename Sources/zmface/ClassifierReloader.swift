import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals
import Workers
import ZMFaceCore

/// The classifier the server names faces with, replaceable while calls run: a new model file is
/// picked up on SIGHUP or when the file changes, and a file that fails to load leaves the running
/// model in place.
final class ReloadableClassifier: FaceIdentifier {
    private let current: Mutex<FaceClassifier>
    let path: String
    let minProbaOverride: Double?

    init(path: String, minProbaOverride: Double?) throws {
        self.path = path
        self.minProbaOverride = minProbaOverride
        current = Mutex(try Self.load(path, minProbaOverride))
    }

    func identify(_ encoding: FaceEncoding) -> Identification {
        current.withLock { $0 }.identify(encoding)
    }

    var classifier: FaceClassifier { current.withLock { $0 } }

    func reload() throws {
        let fresh = try Self.load(path, minProbaOverride)
        current.withLock { $0 = fresh }
    }

    private static func load(_ path: String, _ minProbaOverride: Double?) throws -> FaceClassifier {
        var model = try FaceClassifierModel.load(from: URL(fileURLWithPath: path))
        if let minProbaOverride { model.openSet.minProba = minProbaOverride }
        return FaceClassifier(model: model)
    }
}

/// Reloads the classifier on SIGHUP and when its file's modification time or size changes.
struct ClassifierReloadService: Service {
    let classifier: ReloadableClassifier
    let logger: Logger
    var pollInterval: Duration = .seconds(2)

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals { reload(reason: "SIGHUP") }
            }
            group.addTask {
                var stamp = fileStamp()
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    let now = fileStamp()
                    if now != stamp {
                        stamp = now
                        reload(reason: "file changed")
                    }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    private func fileStamp() -> [String] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: classifier.path)
        return ["\(attributes?[.modificationDate] ?? "")", "\(attributes?[.size] ?? "")"]
    }

    private func reload(reason: String) {
        do {
            try classifier.reload()
            let model = classifier.classifier.model
            logger.notice(
                "classifier reloaded",
                metadata: [
                    "reason": "\(reason)", "path": "\(classifier.path)", "kind": "\(model.kind.rawValue)",
                    "classes": "\(model.classes.joined(separator: ","))", "created": "\(model.createdAt)",
                ])
        } catch {
            logger.error(
                "classifier reload failed; keeping the running model",
                metadata: ["reason": "\(reason)", "error": "\(error)"])
        }
    }
}
