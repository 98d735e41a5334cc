import Foundation
import Logging
import Recognition
import Workers

/// The recognition half every long-running command needs: the worker pool and the classifier.
enum RecognitionStack {
    static func bootstrapLogging(_ level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    static func start(_ settings: ServerConfiguration, logger: Logger) async throws -> (
        RecognitionPool, ReloadableClassifier?
    ) {
        let files = try ModelFiles.locate(explicit: settings.models)
        let pool = try await RecognitionPool(
            workers: settings.workers, modelFiles: files, queueCapacity: settings.queueCapacity)
        logger.info(
            "recognition pool ready", metadata: ["workers": "\(settings.workers)", "models": "\(files.directory.path)"])
        guard let path = settings.classifierModel else {
            logger.notice("no classifier configured (classifier.model): found faces are answered as unknown")
            return (pool, nil)
        }
        do {
            let classifier = try ReloadableClassifier(path: path, minProbaOverride: settings.minProba)
            let model = classifier.classifier.model
            if let warning = classifier.minProbaWarning { logger.warning("\(warning)") }
            logger.info(
                "classifier loaded",
                metadata: [
                    "path": "\(path)", "kind": "\(model.kind.rawValue)",
                    "classes": "\(model.classes.joined(separator: ","))",
                    "minProba": "\(model.openSet.minProba)", "version": "\(classifier.modelVersion)",
                ])
            if model.encoder.detector != settings.recognition.detector.rawValue
                || model.encoder.jitters != settings.recognition.jitters
            {
                logger.warning(
                    "the classifier was trained on encodings made with other settings",
                    metadata: ["trained": "\(model.encoder.detector), \(model.encoder.jitters) jitters"])
            }
            return (pool, classifier)
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}
