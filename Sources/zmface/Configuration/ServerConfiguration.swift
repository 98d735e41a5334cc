import FaceAPI
import Foundation
import Ingest
import Recognition
import Workers
import ZeroMQ
import ZeroRPC

/// Everything `zmface serve` needs, read from worker.json (every field documented in the README) or
/// from the original server's config.json.
struct ServerConfiguration: Equatable {
    var workers = 2
    var queueCapacity = 64
    var models: String?
    var recognition = RecognitionSettings()
    /// The classifier model file; nil serves every found face as unknown.
    var classifierModel: String?
    /// Overrides the model's own open-set minProba when set.
    var minProba: Double?
    var zerorpc = ZeroRPCServerConfiguration(name: "DetectRPC", endpoints: ["ipc:///tmp/face_detect_zmq.pipe"])
    /// Every server socket's (zerorpc, PUB): `zerorpc.allowRemote`, `ipc`, `curve`.
    var security = ServerSocketSecurity()
    var queueWaitSeconds = 20.0
    var maxLabels = 1000
    var imageRoots = ["/var/cache/zoneminder/events"]
    var maxImagePixels = 40_000_000
    var maxImageBytes = 64 << 20
    /// `host:port` of the Prometheus /metrics and /healthz endpoint; nil: off.
    var metricsAddress: String?
    var zoneminder = ZoneMinderSourceConfiguration()
    var ingest = IngestSettings()
    /// libpq URL of zmface's result database (ZMFACE_DATABASE_URL overrides it).
    var postgresURL: String?
    /// `--database` on the command line: beats ZMFACE_DATABASE_URL and postgres.url.
    var postgresURLOverride: String?
    var publish = PublishConfiguration()
    /// worker.json `mqtt`; nil: no MQTT.
    var mqtt: MQTTConfiguration?
    /// worker.json `faces`: crops, clusters of unknown faces, retention, the training dataset.
    var faces = FacesConfiguration()
    /// worker.json `web`; nil: no faces page.
    var web: WebConfiguration?
    /// Things the operator should know about the file (e.g. settings of the original that have no effect).
    var notices: [String] = []

    static let defaultPath = "worker.json"

    /// The file to read: the one given, else ./worker.json when it exists, else none (defaults).
    static func path(explicit: String?) -> String? {
        explicit ?? (FileManager.default.fileExists(atPath: defaultPath) ? defaultPath : nil)
    }

    /// Reads `path`; a file with a top-level `faceDetServer` key is the original's config.json.
    static func load(path: String) throws(ConfigurationError) -> ServerConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw .unreadable(path: path, reason: "not valid JSON (\(error))")
        }
        if case .object(let object) = json, object["faceDetServer"] != nil {
            return try fromOriginal(object)
        }
        return try fromWorkerJSON(json)
    }

    static func fromWorkerJSON(_ json: JSONValue) throws(ConfigurationError) -> ServerConfiguration {
        var config = ServerConfiguration()
        var root = try JSONFields(json, path: "")
        config.workers = try root.int("workers", default: config.workers, in: 1...64)
        config.queueCapacity = try root.int("queueCapacity", default: config.queueCapacity, in: 1...100_000)
        config.models = try root.string("models")
        if var recognition = try root.object("recognition") {
            if let detector = try recognition.string("detector") {
                guard let kind = DetectorKind(rawValue: detector) else {
                    throw .invalid("recognition.detector", "must be \"hog\" or \"cnn\", not \"\(detector)\"")
                }
                config.recognition.detector = kind
            }
            config.recognition.upsample = try recognition.int(
                "upsample", default: config.recognition.upsample, in: 0...4)
            config.recognition.minFace = try recognition.int(
                "minFace", default: config.recognition.minFace, in: 0...10_000)
            config.recognition.focusThreshold = try recognition.double(
                "focusThreshold", default: config.recognition.focusThreshold, in: 0...1e12)
            config.recognition.jitters = try recognition.int(
                "jitters", default: config.recognition.jitters, in: 1...1000)
            config.recognition.maxYaw = try recognition.double(
                "maxYaw", default: config.recognition.maxYaw, in: 0...10)
            try recognition.rejectUnknownFields()
        }
        if var classifier = try root.object("classifier") {
            config.classifierModel = try classifier.string("model")
            if classifier.contains("minProba") {
                config.minProba = try classifier.double("minProba", default: 0.9, in: 0...1)
            }
            try classifier.rejectUnknownFields()
        }
        if var zerorpc = try root.object("zerorpc") {
            if let endpoints = try zerorpc.strings("endpoints") {
                guard !endpoints.isEmpty else { throw .invalid("zerorpc.endpoints", "must name at least one endpoint") }
                config.zerorpc.endpoints = endpoints
            }
            config.zerorpc.name = try zerorpc.string("name") ?? config.zerorpc.name
            let heartbeat = try zerorpc.double("heartbeatSeconds", default: 5, in: 0.1...3600)
            config.zerorpc.heartbeatInterval = .milliseconds(Int(heartbeat * 1000))
            config.queueWaitSeconds = try zerorpc.double(
                "queueWaitSeconds", default: config.queueWaitSeconds, in: 0...3600)
            config.maxLabels = try zerorpc.int("maxLabels", default: config.maxLabels, in: 1...1_000_000)
            config.zerorpc.maxMessageBytes = Int64(
                try zerorpc.int("maxMessageBytes", default: Int(config.zerorpc.maxMessageBytes), in: 1024...(1 << 30)))
            config.security.allowRemote = try zerorpc.bool("allowRemote", default: false)
            let drain = try zerorpc.double("drainSeconds", default: 20, in: 0...3600)
            config.zerorpc.drainTimeout = .milliseconds(Int(drain * 1000))
            try zerorpc.rejectUnknownFields()
        }
        config.imageRoots = try root.strings("imageRoots") ?? config.imageRoots
        for (index, root) in config.imageRoots.enumerated() where !root.hasPrefix("/") {
            throw .invalid("imageRoots[\(index)]", "must be an absolute path, not \"\(root)\"")
        }
        if var limits = try root.object("limits") {
            config.maxImagePixels = try limits.int(
                "maxImagePixels", default: config.maxImagePixels, in: 1...1_000_000_000)
            config.maxImageBytes = try limits.int("maxImageBytes", default: config.maxImageBytes, in: 1...(1 << 31))
            try limits.rejectUnknownFields()
        }
        if var metrics = try root.object("metrics") {
            config.metricsAddress = try metrics.string("address")
            try metrics.rejectUnknownFields()
        }
        try config.readPipelineSections(&root)
        try config.readCurveSection(&root)
        try config.readMQTTSection(&root)
        try config.readFacesSection(&root)
        try config.readWebSection(&root)
        try root.rejectUnknownFields()
        try config.validateEndpoints()
        try config.validatePipeline()
        return config
    }

    /// The original's `{"faceDetServer": {...}}`; every key of it keeps its meaning.
    static func fromOriginal(_ object: [String: JSONValue]) throws(ConfigurationError) -> ServerConfiguration {
        var config = ServerConfiguration()
        var original = try JSONFields(object["faceDetServer"], path: "faceDetServer")
        _ = original.raw("comment")
        if original.contains("minProba") {
            config.minProba = try original.double("minProba", default: 0.9, in: 0...1)
        }
        config.recognition.focusThreshold = try original.double(
            "focusMeasureThreshold", default: config.recognition.focusThreshold, in: 0...1e12)
        config.recognition.upsample = try original.int("numFaceImgUpsample", default: 1, in: 0...4)
        config.recognition.minFace = try original.int("minFace", default: 20, in: 0...10_000)
        // The original selected HOG for any value other than "cnn".
        config.recognition.detector = try original.string("faceDetModel") == "cnn" ? .cnn : .hog
        config.recognition.jitters = try original.int("numJitters", default: 1, in: 1...1000)
        if config.recognition.jitters > 20 {
            config.notices.append(
                "numJitters \(config.recognition.jitters) costs about \(config.recognition.jitters * 30) ms per face "
                    + "on one core; node clients give up after 30 s per call")
        }
        if (try original.double("zerorpcHeartBeat", default: 5, in: 0...1e9)) != 5 {
            config.notices.append(
                "zerorpcHeartBeat is ignored: zmface heartbeats every 5 s, which every zerorpc client accepts "
                    + "(the original passed it as seconds and so never heartbeated)")
        }
        if let pipe = try original.string("zerorpcPipe") { config.zerorpc.endpoints = [pipe] }
        for key in ["modelPath", "labelPath"] {
            if let path = try original.string(key) {
                config.notices.append(
                    "\(key) \(path): Python pickles are not loaded; faces are answered as unknown. "
                        + "Train a zmface model from the same dataset folder instead (see the README)")
            }
        }
        try original.rejectUnknownFields()
        if object.keys.contains(where: { $0 != "faceDetServer" }) {
            config.notices.append("sections other than faceDetServer are ignored")
        }
        try config.validateEndpoints()
        return config
    }

    /// The metrics address as (host, port); loopback only unless zerorpc.allowRemote.
    func metricsEndpoint() throws(ConfigurationError) -> (host: String, port: Int)? {
        guard let address = metricsAddress else { return nil }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw .invalid("metrics.address", "must be host:port, not \"\(address)\"") }
        let host = String(address[..<colon])
        do {
            try EndpointPolicy.checkExposure("tcp://\(address)", allowRemote: security.allowRemote)
        } catch {
            throw .invalid("metrics.address", "\(error)")
        }
        return (host, port)
    }

    private func validateEndpoints() throws(ConfigurationError) {
        _ = try metricsEndpoint()
        for (index, endpoint) in zerorpc.endpoints.enumerated() {
            do {
                try EndpointPolicy.checkExposure(endpoint, allowRemote: security.allowRemote)
            } catch {
                throw .invalid("zerorpc.endpoints[\(index)]", "\(error)")
            }
        }
    }
}
