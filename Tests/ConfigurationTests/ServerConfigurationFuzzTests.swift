import Foundation
import Testing

@testable import zmface

/// Generated worker.json and config.json documents against the whole configuration reader (every
/// section, the cross-field checks, the original's format): whatever the input, loading either
/// succeeds with every setting in its documented range or fails with an error that names a field.
/// A trap (an out-of-range conversion, a reversed range) would end the test process. The
/// libFuzzer target under Fuzz/WorkerJSON covers the typed-read layer at byte level; this covers
/// what sits above it, with field names and value shapes libFuzzer would take ages to guess.
@Suite struct ServerConfigurationFuzzTests {
    /// SplitMix64: a fixed seed makes every failure reproducible.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    typealias Make = @Sendable (inout SeededGenerator) -> JSONValue

    static func int(_ range: ClosedRange<Int>) -> Make { { .number(Double(Int.random(in: range, using: &$0))) } }
    static func double(_ range: ClosedRange<Double>) -> Make { { .number(Double.random(in: range, using: &$0)) } }
    static func oneOf(_ texts: [String]) -> Make { { .string(texts.randomElement(using: &$0)!) } }
    static func list(_ texts: [String]) -> Make { { _ in .array(texts.map { .string($0) }) } }
    static let flag: Make = { .bool(Bool.random(using: &$0)) }

    /// Every field of worker.json with a maker of values it accepts; the test mixes these with
    /// hostile values so that documents are sometimes accepted and sometimes refused.
    static let sections: [String: [String: Make]] = [
        "": [
            "workers": int(1...64), "queueCapacity": int(1...1000), "models": oneOf(["/nonexistent/models"]),
            "imageRoots": list(["/", "/var/cache/zoneminder/events"]),
        ],
        "recognition": [
            "detector": oneOf(["hog", "cnn"]), "upsample": int(0...4), "minFace": int(0...200),
            "focusThreshold": double(0...500), "maxYaw": double(0...10), "jitters": int(1...10),
        ],
        "classifier": ["model": oneOf(["/nonexistent/faces.model"]), "minProba": double(0...1)],
        "zerorpc": [
            "endpoints": list(["tcp://127.0.0.1:4242", "ipc:///tmp/zmface-fuzz.sock"]), "name": oneOf(["DetectRPC"]),
            "heartbeatSeconds": double(0.1...60), "queueWaitSeconds": double(0...60), "maxLabels": int(1...5000),
            "maxMessageBytes": int(1024...(1 << 24)), "allowRemote": flag, "drainSeconds": double(0...60),
        ],
        "limits": ["maxImagePixels": int(1...100_000_000), "maxImageBytes": int(1...100_000_000)],
        "metrics": ["address": oneOf(["127.0.0.1:9464", "localhost:1"])],
        "zoneminder": [
            "enabled": flag, "dbHost": oneOf(["localhost", "127.0.0.1:3306", "localhost:/run/mysqld/mysqld.sock"]),
            "dbName": oneOf(["zm"]), "dbUser": oneOf(["zmuser"]), "dbPassword": oneOf(["secret"]),
            "eventsPath": oneOf(["/var/cache/zoneminder/events"]),
            "monitors": { _ in .array([.number(1), .number(3)]) },
            "pollSeconds": double(0.05...10), "settleSeconds": double(0...10), "abandonSeconds": double(1...600),
            "startAt": oneOf(["beginning", "now"]), "leaseSeconds": double(3...600),
            "maxClaimSeconds": double(600...7200),
        ],
        "frames": [
            "select": oneOf(["all", "alarm"]), "every": int(1...10), "maxPerEvent": int(0...100),
            "order": oneOf(["score", "time"]),
        ],
        "postgres": ["url": oneOf(["postgresql://zmface@127.0.0.1/zmface"])],
        "ipc": ["mode": oneOf(["0660", "0600", "0777"]), "group": oneOf(["video", "www-data"])],
        "publish": [
            "endpoints": list(["tcp://127.0.0.1:5556"]), "highWaterMark": int(1...100_000),
            "statusSeconds": double(0...60), "serverId": oneOf(["nvr"]),
        ],
        "faces": [
            "cropsPath": oneOf(["/var/lib/zmface/crops"]), "keep": oneOf(["all", "unknown", "none"]),
            "datasetPath": oneOf(["/var/lib/zmface/dataset"]),
            "retention": { rng in
                .object([
                    "unknownDays": .number(Double.random(in: 0...30, using: &rng)),
                    "maxCrops": .number(Double(Int.random(in: 0...1000, using: &rng))),
                ])
            },
            "cluster": { rng in
                .object([
                    "distance": .number(Double.random(in: 0.05...2, using: &rng)),
                    "minFaces": .number(Double(Int.random(in: 1...10, using: &rng))),
                ])
            },
        ],
        // Only hostile values: a valid curve section needs key files on disk (Tests/zerorpc covers it).
        "curve": ["secretKey": { _ in .null }, "clientKeys": { _ in .null }],
    ]

    /// The original's `faceDetServer` keys, with values it accepted.
    static let originalKeys: [String: Make] = [
        "minProba": double(0...1), "focusMeasureThreshold": double(0...500), "numFaceImgUpsample": int(0...4),
        "minFace": int(0...200), "faceDetModel": oneOf(["hog", "cnn"]), "numJitters": int(1...50),
        "zerorpcHeartBeat": int(1...60),
        "zerorpcPipe": oneOf(["ipc:///tmp/face_detect_zmq.pipe", "tcp://127.0.0.1:4242"]),
        "modelPath": oneOf(["/x/face_recognizer.pickle"]), "labelPath": oneOf(["/x/face_labels.pickle"]),
        "comment": oneOf(["any text"]),
    ]

    static let numbers: [Double] = [
        0, 1, 2, 4, 5, 64, 65, -1, -0.0, 0.5, 0.9, 1.5, 3600, 1e6, 1e9, 1e12, 1e15, 9.2e18, 1e19, 1e308, -1e308,
        4_294_967_296, 2_147_483_648, Double(Int.max), 1e-300,
    ]
    static let strings = [
        "", "hog", "cnn", "all", "alarm", "score", "time", "beginning", "now", "0660", "0777", "999", "-1",
        "tcp://127.0.0.1:4242", "tcp://0.0.0.0:4242", "tcp://*:1", "ipc:///tmp/zmface-fuzz.sock", "inproc://x",
        "ipc://" + String(repeating: "a", count: 200), "127.0.0.1:9464", "0.0.0.0:1", "localhost", "host:99999",
        "localhost:/run/mysqld.sock", "[::1]:3306", "relative/path", "/", "/nonexistent/zmface", "\u{0}", "é🙂",
        "postgresql://x@127.0.0.1:1/db",
    ]

    static func value(_ rng: inout SeededGenerator, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2, 3, 4: return .number(numbers.randomElement(using: &rng)!)
        case 5: return .number(Double.random(in: -1e6...1e6, using: &rng))
        case 6, 7: return .string(strings.randomElement(using: &rng)!)
        case 8:
            let count = Int.random(in: 0..<4, using: &rng)
            return .array((0..<count).map { _ in depth < 2 ? value(&rng, depth: depth + 1) : .null })
        default:
            return depth < 2 ? .object(["x": value(&rng, depth: depth + 1)]) : .object([:])
        }
    }

    static func workerJSON(_ rng: inout SeededGenerator) -> JSONValue {
        var root: [String: JSONValue] = [:]
        for (section, makers) in sections.sorted(by: { $0.key < $1.key }) {
            guard section.isEmpty || Int.random(in: 0..<3, using: &rng) > 0 else { continue }
            var fields: [String: JSONValue] = [:]
            for (key, make) in makers.sorted(by: { $0.key < $1.key }) where Int.random(in: 0..<3, using: &rng) == 0 {
                // One field in twenty gets a hostile value of any shape.
                fields[key] = Int.random(in: 0..<20, using: &rng) == 0 ? value(&rng) : make(&rng)
            }
            if Int.random(in: 0..<200, using: &rng) == 0 { fields["typo"] = value(&rng) }
            if section.isEmpty {
                root.merge(fields) { new, _ in new }
            } else if section == "curve" {
                if Int.random(in: 0..<20, using: &rng) == 0 { root[section] = .object(fields) }
            } else {
                // Now and then the section itself has the wrong shape.
                root[section] = Int.random(in: 0..<100, using: &rng) == 0 ? value(&rng) : .object(fields)
            }
        }
        return .object(root)
    }

    @Test("25,000 generated worker.json documents: each loads within range or is refused naming a field")
    func workerJSONDocuments() throws {
        var rng = SeededGenerator(state: 2026)
        var (accepted, refused) = (0, 0)
        for _ in 0..<25_000 {
            let document = Self.workerJSON(&rng)
            do {
                let config = try ServerConfiguration.fromWorkerJSON(document)
                accepted += 1
                try Self.checkInvariants(config, document)
            } catch let error as ConfigurationError {
                refused += 1
                guard case .invalid(let field, let problem) = error else {
                    Issue.record("unexpected error kind \(error) for \(document)")
                    continue
                }
                #expect(!field.isEmpty && !problem.isEmpty)
            }
        }
        // Both outcomes must really occur, or the generator is not testing anything.
        #expect(accepted > 100 && refused > 100, "accepted \(accepted), refused \(refused)")
    }

    @Test("10,000 generated original config.json documents: same rule")
    func originalDocuments() throws {
        var rng = SeededGenerator(state: 36)
        var accepted = 0
        for _ in 0..<10_000 {
            var fields: [String: JSONValue] = [:]
            for (key, make) in Self.originalKeys.sorted(by: { $0.key < $1.key }) where Bool.random(using: &rng) {
                fields[key] = Int.random(in: 0..<20, using: &rng) == 0 ? Self.value(&rng) : make(&rng)
            }
            do {
                let config = try ServerConfiguration.fromOriginal(["faceDetServer": .object(fields)])
                accepted += 1
                try Self.checkInvariants(config, .object(fields))
            } catch let error as ConfigurationError {
                #expect(!error.description.isEmpty)
            }
        }
        #expect(accepted > 100)
    }

    @Test("Random bytes never crash the JSON layer")
    func randomBytes() {
        var rng = SeededGenerator(state: 7)
        let alphabet = Array("{}[]\":,0123456789.eE-+truefalsnul \\u\n".utf8)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<64, using: &rng)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
            if let json = try? JSONValue.parse(Data(bytes)) { _ = try? ServerConfiguration.fromWorkerJSON(json) }
        }
    }

    static func checkInvariants(_ config: ServerConfiguration, _ document: JSONValue) throws {
        let context = Comment(rawValue: "\(document)")
        #expect((1...64).contains(config.workers), context)
        #expect(config.queueCapacity >= 1, context)
        #expect((0...4).contains(config.recognition.upsample), context)
        #expect(config.recognition.jitters >= 1, context)
        #expect((0...10).contains(config.recognition.maxYaw), context)
        #expect(!config.zerorpc.endpoints.isEmpty, context)
        #expect(config.zerorpc.heartbeatInterval > .zero, context)
        #expect(config.zerorpc.maxMessageBytes >= 1024, context)
        #expect(config.maxImagePixels >= 1 && config.maxImageBytes >= 1, context)
        #expect(config.imageRoots.allSatisfy { $0.hasPrefix("/") }, context)
        #expect(config.ingest.selection.every >= 1 && config.ingest.selection.maxPerEvent >= 0, context)
        #expect(config.ingest.pollSeconds > 0, context)
        #expect(config.publish.highWaterMark >= 1, context)
        if let minProba = config.minProba { #expect((0...1).contains(minProba), context) }
        #expect((0.05...2).contains(config.faces.cluster.distance) && config.faces.cluster.minFaces >= 1, context)
        #expect(config.faces.retention.unknownDays >= 0 && config.faces.retention.maxCrops >= 0, context)
        #expect(config.faces.cropsPath.map { !$0.isEmpty } ?? true, context)
        for endpoint in config.zerorpc.endpoints + config.publish.endpoints where !config.security.allowRemote {
            #expect(
                endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("tcp://127.")
                    || endpoint.hasPrefix("tcp://localhost")
                    || endpoint.hasPrefix("tcp://[::1]"), "\(endpoint) exposed without allowRemote; \(context)")
        }
    }
}
