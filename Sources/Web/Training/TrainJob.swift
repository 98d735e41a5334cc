public import Foundation
public import Logging
public import Sink

/// "Retrain" from the page: exports the labelled crops into the dataset, runs `zmface encode`
/// (its cache kept between runs) and `zmface train` as child processes of this same binary with
/// the server's settings, puts the new model where the server's classifier is configured
/// (atomically: a rename), has the running server load it, and, when asked, re-labels the last
/// days' events with `zmface backfill` (which claims events like any instance, so it is safe beside
/// live ingestion). One job at a time; its progress is `status`.
public actor TrainJob {
    public struct Status: Codable, Sendable {
        /// idle, exporting, encoding, training, reloading, relabelling, done or failed.
        public var state = "idle"
        public var step = ""
        public var progress = 0.0
        public var message = ""
        public var startedAt: Date?
        public var finishedAt: Date?
        public var relabelDays = 0.0
        /// The last lines the job and its child processes wrote.
        public var log: [String] = []
        /// False when this server cannot train (`message` says what is missing).
        public var available = true

        public init() {}

        /// The status of a server without the files training needs.
        public static let unavailable: Status = {
            var status = Status()
            status.available = false
            status.message =
                "Retrain needs classifier.model, faces.datasetPath and faces.cropsPath in worker.json; "
                + "this server has not got all three"
            return status
        }()

        var isRunning: Bool { !["idle", "done", "failed"].contains(state) }
    }

    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    private let library: FaceLibrary
    private let dataset: Dataset
    private let cropsPath: String
    private let settings: TrainingSettings
    private let executable: String
    /// Loads the new model into the running server; returns its version.
    private let reload: @Sendable () async throws -> String
    private let logger: Logger
    public private(set) var status = Status()
    private var child: ChildProcess?

    public init(
        library: FaceLibrary, datasetPath: String, cropsPath: String, settings: TrainingSettings,
        executable: String = Bundle.main.executablePath ?? CommandLine.arguments[0],
        reload: @escaping @Sendable () async throws -> String, logger: Logger
    ) {
        self.library = library
        self.dataset = Dataset(root: datasetPath)
        self.cropsPath = cropsPath
        self.settings = settings
        self.executable = executable
        self.reload = reload
        self.logger = logger
    }

    /// Starts the job in the background; refused while one runs (or when re-labelling is asked of
    /// a server without a configuration file to hand to the backfill).
    public func start(relabelDays: Double) throws(Refusal) -> Status {
        guard !status.isRunning else { throw Refusal(description: "a training is already running (\(status.state))") }
        if relabelDays > 0 && settings.backfillArguments == nil {
            throw Refusal(description: "re-labelling needs the server to run with a configuration file (--config)")
        }
        var fresh = Status()
        fresh.state = "exporting"
        fresh.step = "exporting the labelled faces"
        fresh.startedAt = Date()
        fresh.relabelDays = relabelDays
        status = fresh
        Task { await self.run(relabelDays: relabelDays) }
        return status
    }

    /// Ends a running child process (the server is stopping).
    public func cancel() {
        child?.terminate()
    }

    private func run(relabelDays: Double) async {
        do {
            let faces = try await library.trainingFaces()
            let export = try dataset.export(faces, crops: FaceCropFiles(root: cropsPath))
            note(
                "exported \(faces.count - export.missingCrops) labelled faces: \(export.written) new, "
                    + "\(export.kept) kept, \(export.removed) removed"
                    + (export.missingCrops > 0 ? ", \(export.missingCrops) without a crop file" : ""))
            advance("encoding", "encoding the dataset", 0.1)
            try await runChild(
                ["encode", dataset.root, "--out", settings.encodingsPath] + settings.encodeArguments, from: 0.1, to: 0.6
            )
            advance("training", "training the classifier", 0.6)
            let temporary = settings.modelPath + ".training-\(ProcessInfo.processInfo.processIdentifier)"
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            try await runChild(
                ["train", settings.encodingsPath, "--out", temporary] + settings.trainArguments, from: 0.6, to: 0.85)
            // A rename: the reload service (and any reader) sees the old file or the new one, never half of one.
            guard rename(temporary, settings.modelPath) == 0 else {
                throw Refusal(
                    description:
                        "could not move the new model to \(settings.modelPath): \(String(cString: strerror(errno)))")
            }
            advance("reloading", "loading the new model", 0.9)
            let version = try await reload()
            note("the server now names faces with model \(version)")
            if relabelDays > 0, let backfill = settings.backfillArguments {
                advance("relabelling", "re-labelling the last \(Self.days(relabelDays))", 0.92)
                let hours = Int((relabelDays * 24).rounded(.up))
                try await runChild(
                    ["backfill", "--since", "\(hours)h", "--classifier", settings.modelPath] + backfill, from: 0.92,
                    to: 1)
            }
            status.state = "done"
            status.step = "done"
            status.progress = 1
            status.message =
                "trained and loaded model \(version)"
                + (relabelDays > 0 ? "; re-labelled \(Self.days(relabelDays))" : "")
            status.finishedAt = Date()
            logger.notice("faces page: training done", metadata: ["model": "\(version)"])
        } catch {
            status.message = "\(status.step) failed: \(error)"
            status.state = "failed"
            status.finishedAt = Date()
            logger.error("faces page: training failed", metadata: ["step": "\(status.step)", "error": "\(error)"])
        }
        child = nil
    }

    private static func days(_ days: Double) -> String {
        days == 1 ? "day" : "\(days.formatted(.number.precision(.fractionLength(0...1)))) days"
    }

    private func advance(_ state: String, _ step: String, _ progress: Double) {
        status.state = state
        status.step = step
        status.progress = progress
    }

    private func note(_ line: String) {
        status.log.append(line)
        if status.log.count > 40 { status.log.removeFirst(status.log.count - 40) }
        status.message = line
    }

    /// One `zmface` child; its `n/total` progress lines move the job from `from` to `to`.
    private func runChild(_ arguments: [String], from: Double, to: Double) async throws {
        let process = ChildProcess(executable: executable, arguments: arguments)
        child = process
        note("zmface " + arguments.joined(separator: " "))
        let status = try await process.run { line in
            Task { await self.childSaid(line, from: from, to: to) }
        }
        guard status == 0 else {
            throw Refusal(description: "zmface \(arguments[0]) exited with status \(status) (see the log)")
        }
    }

    private func childSaid(_ line: String, from: Double, to: Double) {
        note(line)
        if let match = line.firstMatch(of: /(\d+)\/(\d+)/), let done = Double(match.1), let total = Double(match.2),
            total > 0, done <= total
        {
            status.progress = max(status.progress, from + (to - from) * done / total)
        }
    }
}
