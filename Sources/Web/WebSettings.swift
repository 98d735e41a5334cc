import Foundation

/// Everything the faces page's server needs from worker.json (`web` and `faces` sections), the
/// database and the classifier's paths. Parsed and validated by the zmface command's configuration.
public struct WebSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// `Authorization: Bearer <token>` (or HTTP basic with the token as password) on every request;
    /// nil: none (allowed on loopback only).
    public var token: String?
    /// ZoneMinder's web UI (`http://zm.example/zm`), for links to its event pages; nil: no links.
    public var zoneminderURL: String?
    public var maxUploadBytes: Int
    public var maxUploadPixels: Int
    /// `web.assetsPath`: the page's folder; nil: searched (see `WebAssets`).
    public var assetsPath: String?
    /// `faces.cropsPath`: crops are served from here only; nil: no crops.
    public var cropsPath: String?
    /// `faces.datasetPath`: the training dataset (one folder per person, `Unknown/` for strangers).
    public var datasetPath: String?

    public init(
        host: String, port: Int, token: String? = nil, zoneminderURL: String? = nil,
        maxUploadBytes: Int = 10 << 20, maxUploadPixels: Int = 40_000_000, assetsPath: String? = nil,
        cropsPath: String? = nil, datasetPath: String? = nil
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.zoneminderURL = zoneminderURL
        self.maxUploadBytes = maxUploadBytes
        self.maxUploadPixels = maxUploadPixels
        self.assetsPath = assetsPath
        self.cropsPath = cropsPath
        self.datasetPath = datasetPath
    }
}

/// What the train job runs and where it writes (from the server's own settings, so the model it
/// makes is the one the server names faces with).
public struct TrainingSettings: Sendable, Equatable {
    /// The classifier model file the server serves (`classifier.model`); the job replaces it.
    public var modelPath: String
    /// `zmface encode`'s cache of the dataset's encodings, kept between trainings.
    public var encodingsPath: String
    /// Arguments for `zmface encode` matching the server's recognition settings (detector,
    /// upsample, jitters, models).
    public var encodeArguments: [String]
    /// Extra arguments for `zmface train` (the running model's classifier kind).
    public var trainArguments: [String]
    /// Arguments for `zmface backfill` (config file, database) when re-labelling; nil: the server
    /// has no configuration file to hand to it, so re-labelling is refused.
    public var backfillArguments: [String]?

    public init(
        modelPath: String, encodingsPath: String, encodeArguments: [String], trainArguments: [String] = [],
        backfillArguments: [String]?
    ) {
        self.modelPath = modelPath
        self.encodingsPath = encodingsPath
        self.encodeArguments = encodeArguments
        self.trainArguments = trainArguments
        self.backfillArguments = backfillArguments
    }
}
