import Foundation
import Logging
import Recognition
import ServiceLifecycle
import Workers

/// Applies edits while the server runs. On SIGHUP, or when worker.json or the classifier model file
/// changes: a valid worker.json resizes the recognition pool and reloads the classifier; an invalid
/// one is rejected with the reason and the running configuration stays. Settings that need a
/// restart (endpoints, detector…) are reported, not applied.
struct ConfigurationReloadService: Service {
    /// The configuration file being served, if any; command-line overrides are re-applied on reload.
    let configPath: String?
    let overrides: @Sendable (inout ServerConfiguration) -> Void
    let running: ServerConfiguration
    let pool: RecognitionPool
    let classifier: ReloadableClassifier?
    let logger: Logger
    /// One element per SIGHUP (see `SignalRouter`).
    let reloadRequests: AsyncStream<Void>
    /// The versions of worker.json and of the model file that were loaded, taken before reading them:
    /// an edit made while the server started (before this service ran) is still seen.
    let loadedConfig: FileVersion
    let loadedModel: FileVersion
    var pollInterval: Duration = .seconds(2)

    func run() async throws {
        let state = ReloadState(running)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in reloadRequests {
                    // A configuration that switched the classifier has just loaded it; don't load it twice.
                    if !(await reloadConfiguration(state, reason: "SIGHUP")) { reloadClassifier(reason: "SIGHUP") }
                }
            }
            group.addTask {
                var configVersion = loadedConfig
                var modelVersion = loadedModel
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    let newConfig = FileVersion(of: configPath)
                    if newConfig != configVersion {
                        configVersion = newConfig
                        // A switched classifier was just loaded from its (new) file: not again below.
                        if await reloadConfiguration(state, reason: "configuration file changed") {
                            modelVersion = FileVersion(of: classifier?.path)
                        }
                    }
                    let newModel = FileVersion(of: classifier?.path)
                    if newModel != modelVersion {
                        modelVersion = newModel
                        reloadClassifier(reason: "model file changed")
                    }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// The last configuration applied, shared by the signal and polling loops.
    private actor ReloadState {
        var configuration: ServerConfiguration
        init(_ configuration: ServerConfiguration) { self.configuration = configuration }
        func update(_ configuration: ServerConfiguration) { self.configuration = configuration }
    }

    /// Returns whether the classifier was switched (and so freshly loaded).
    @discardableResult
    private func reloadConfiguration(_ state: ReloadState, reason: String) async -> Bool {
        guard let configPath else { return false }
        var fresh: ServerConfiguration
        do {
            fresh = try ServerConfiguration.load(path: configPath)
        } catch {
            logger.error(
                "configuration rejected; the running configuration stays",
                metadata: ["reason": "\(reason)", "path": "\(configPath)", "error": "\(error)"])
            return false
        }
        overrides(&fresh)
        let previous = await state.configuration
        if fresh.workers != previous.workers {
            do {
                try await pool.resize(to: fresh.workers)
                logger.notice(
                    "recognition pool resized", metadata: ["from": "\(previous.workers)", "to": "\(fresh.workers)"])
            } catch {
                logger.error("pool resize failed", metadata: ["error": "\(error)"])
                fresh.workers = previous.workers
            }
        }
        var switchedClassifier = false
        if let classifier, fresh.classifierModel != nil,
            fresh.classifierModel != previous.classifierModel || fresh.minProba != previous.minProba
        {
            do {
                try classifier.reload(path: fresh.classifierModel, minProbaOverride: .some(fresh.minProba))
                logger.notice("classifier switched", metadata: ["path": "\(classifier.path)"])
                if let warning = classifier.minProbaWarning { logger.warning("\(warning)") }
                switchedClassifier = true
            } catch {
                logger.error("classifier switch failed; keeping the running model", metadata: ["error": "\(error)"])
            }
        }
        var needsRestart: [String] = []
        if fresh.zerorpc != previous.zerorpc { needsRestart.append("zerorpc") }
        if fresh.security != previous.security { needsRestart.append("allowRemote/ipc/curve") }
        if fresh.recognition != previous.recognition { needsRestart.append("recognition") }
        if fresh.mqtt != previous.mqtt { needsRestart.append("mqtt") }
        if fresh.imageRoots != previous.imageRoots || fresh.maxImagePixels != previous.maxImagePixels
            || fresh.maxImageBytes != previous.maxImageBytes || fresh.maxLabels != previous.maxLabels
        {
            needsRestart.append("imageRoots/limits")
        }
        if (fresh.classifierModel == nil) != (previous.classifierModel == nil) {
            needsRestart.append("classifier.model")
        }
        if !needsRestart.isEmpty {
            logger.warning(
                "these settings change only on restart",
                metadata: ["sections": "\(needsRestart.joined(separator: ", "))"])
        }
        await state.update(fresh)
        return switchedClassifier
    }

    private func reloadClassifier(reason: String) {
        guard let classifier else { return }
        do {
            try classifier.reload()
            if let warning = classifier.minProbaWarning { logger.warning("\(warning)") }
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
