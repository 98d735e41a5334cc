import FaceAPI
import Foundation
import Logging
import Recognition
import Sink
import Web
import Workers

/// Builds the faces page (`web.address`) from the server's settings: its own PostgreSQL
/// connection, the running pool for `/api/recognize` (with the upload limits), and the train job
/// when the server has a classifier file, a dataset and crops to train from.
enum FacesPage {
    static let name = "the faces page (web.address)"

    static func make(
        _ settings: ServerConfiguration, configurationPath: String?, pool: RecognitionPool,
        classifier: ReloadableClassifier?, logger: Logger
    ) throws -> WebAPI? {
        guard let web = settings.web else { return nil }
        let conninfo = try settings.requiredPostgresURL(for: name)
        let assets = try WebAssets.locate(explicit: web.assetsPath)
        let pageSettings = web.settings(faces: settings.faces)
        let library = FaceLibrary(conninfo: conninfo)
        let recognition = DetectFacesService(
            pool: pool, recognizer: FaceRecognizer(settings: settings.recognition, identifier: classifier),
            paths: ImagePathPolicy(roots: []),
            limits: .init(
                maxLabels: 1, queueWait: .milliseconds(Int(settings.queueWaitSeconds * 1000)),
                decoder: ImageDecoder(maxFileBytes: web.maxUploadBytes, maxPixels: web.maxUploadPixels)))
        var trainer: TrainJob?
        if let classifier, let dataset = settings.faces.datasetPath, let crops = settings.faces.cropsPath {
            trainer = TrainJob(
                library: library, datasetPath: dataset, cropsPath: crops,
                settings: try trainingSettings(settings, configurationPath: configurationPath, classifier: classifier),
                reload: {
                    try classifier.reload()
                    return classifier.modelVersion
                }, logger: logger)
        } else {
            logger.notice(
                "faces page: Retrain is off (it needs classifier.model, faces.datasetPath and faces.cropsPath)")
        }
        logger.info("faces page files", metadata: ["folder": "\(assets.directory.path)"])
        return WebAPI(
            settings: pageSettings, library: library, recognition: recognition, trainer: trainer, assets: assets,
            logger: logger)
    }

    /// The child commands' arguments, so encode uses the server's recognition settings and models,
    /// train the running model's classifier kind, and backfill the server's configuration.
    private static func trainingSettings(
        _ settings: ServerConfiguration, configurationPath: String?, classifier: ReloadableClassifier
    ) throws -> TrainingSettings {
        let models = try ModelFiles.locate(explicit: settings.models).directory.path
        let recognition = settings.recognition
        var backfill: [String]?
        if let configurationPath {
            backfill = [
                "--config", URL(fileURLWithPath: configurationPath).standardizedFileURL.path, "--models", models,
            ]
            if let database = settings.postgresURLOverride { backfill! += ["--database", database] }
        }
        return TrainingSettings(
            modelPath: classifier.path, encodingsPath: classifier.path + ".encodings.json",
            encodeArguments: [
                "--detector", recognition.detector.rawValue, "--upsample", String(recognition.upsample), "--jitters",
                String(recognition.jitters), "--models", models, "--workers", String(settings.workers),
            ],
            trainArguments: ["--classifier", classifier.classifier.model.kind.rawValue],
            backfillArguments: backfill)
    }
}
