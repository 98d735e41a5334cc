public import Foundation
public import MessagePack
public import Recognition
public import Workers
import ZMFaceCore

/// The original face server's `detect_faces(objects)`: for every label named "person", find the
/// face in its box, gate it on size and focus, encode it and name it. Returns the input array as
/// JSON text with `face` (and `faceProba` when a classification ran) added to each person label, plus
/// `faceStatus` and a `faces` array describing every face in the box.
///
/// Each image is decoded once per call, however many labels point at it; images are analysed on the
/// recognition pool in parallel.
public struct DetectFacesService: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Labels across the whole call; more is refused with ERR ValueError.
        public var maxLabels: Int
        /// How long a call waits for a free worker before failing with Overloaded.
        public var queueWait: Duration
        public var decoder: ImageDecoder

        public init(maxLabels: Int = 1000, queueWait: Duration = .seconds(20), decoder: ImageDecoder = ImageDecoder()) {
            self.maxLabels = maxLabels
            self.queueWait = queueWait
            self.decoder = decoder
        }
    }

    public let pool: RecognitionPool
    public let recognizer: FaceRecognizer
    public let paths: ImagePathPolicy
    public let limits: Limits

    public init(pool: RecognitionPool, recognizer: FaceRecognizer, paths: ImagePathPolicy, limits: Limits = Limits()) {
        self.pool = pool
        self.recognizer = recognizer
        self.paths = paths
        self.limits = limits
    }

    /// Where a person label sits in the request.
    private struct LabelRef: Hashable {
        let element: Int
        let label: Int
    }

    public func detectFaces(_ objects: MessagePackValue) async throws -> String {
        guard case .array(let elements) = objects else {
            throw DetectFacesError(.typeError, "detect_faces takes a list of {image, labels} objects")
        }
        // Validate the whole request first, as the original failed before answering anything.
        var work: [String: [(LabelRef, PersonBox?)]] = [:]
        var order: [String] = []
        var labelCount = 0
        for (elementIndex, element) in elements.enumerated() {
            guard case .map = element else {
                throw DetectFacesError(.typeError, "element \(elementIndex) is not an object")
            }
            guard let imageValue = element["image"] else { throw DetectFacesError(.keyError, "'image'") }
            guard let labelsValue = element["labels"] else { throw DetectFacesError(.keyError, "'labels'") }
            guard case .array(let labels) = labelsValue else {
                throw DetectFacesError(.typeError, "labels of element \(elementIndex) is not a list")
            }
            labelCount += labels.count
            guard labelCount <= limits.maxLabels else {
                ResourceLimit.labels.recordBreach()
                throw DetectFacesError(.valueError, "more than \(limits.maxLabels) labels in one call")
            }
            for (labelIndex, label) in labels.enumerated() {
                guard case .map = label else {
                    throw DetectFacesError(
                        .typeError, "label \(labelIndex) of element \(elementIndex) is not an object")
                }
                guard let name = label["name"] else { throw DetectFacesError(.keyError, "'name'") }
                guard name == .string("person") else { continue }
                guard case .string(let path) = imageValue else {
                    throw DetectFacesError(.typeError, "image of element \(elementIndex) is not a string")
                }
                if work[path] == nil { order.append(path) }
                work[path, default: []].append(
                    (LabelRef(element: elementIndex, label: labelIndex), PersonBox(label: label)))
            }
        }

        var reports: [LabelRef: RegionReport] = [:]
        try await withThrowingTaskGroup(of: [(LabelRef, RegionReport)].self) { group in
            for path in order {
                let labels = work[path] ?? []
                group.addTask { try await self.analyzeImage(at: path, labels: labels) }
            }
            for try await results in group {
                for (ref, report) in results { reports[ref] = report }
            }
        }

        for report in reports.values { Telemetry.personLabelAnswered(report.status) }
        let answered = elements.enumerated().map { elementIndex, element -> MessagePackValue in
            guard let labels = element["labels"]?.arrayValue else { return element }
            let updated = labels.enumerated().map { labelIndex, label -> MessagePackValue in
                guard let report = reports[LabelRef(element: elementIndex, label: labelIndex)] else { return label }
                return Self.annotate(label, with: report)
            }
            return element.setting("labels", to: .array(updated))
        }
        return PythonJSON.serialize(.array(answered))
    }

    private func analyzeImage(at path: String, labels: [(LabelRef, PersonBox?)]) async throws -> [(
        LabelRef, RegionReport
    )] {
        guard paths.allows(path) else { return labels.map { ($0.0, .failed(.forbiddenPath)) } }
        let (recognizer, decoder) = (recognizer, limits.decoder)
        do {
            return try await pool.run(waitingAtMost: limits.queueWait) { models in
                let image: RGBImage
                do {
                    (image, _) = try Telemetry.Stage.decode.measure { try decoder.decode(fileAtPath: path) }
                } catch {
                    (error as? ImageDecodingError)?.breachedLimit?.recordBreach()
                    return labels.map { ($0.0, .failed(.unreadableImage)) }
                }
                return try labels.map { ref, box in
                    guard let region = box?.regionOfInterest(width: image.width, height: image.height) else {
                        return (ref, .failed(.badROI))
                    }
                    return (ref, try recognizer.recognize(image, in: region, models: models))
                }
            }
        } catch let error as PoolError {
            if case .overloaded = error { ResourceLimit.queueWait.recordBreach() }
            throw DetectFacesError(.overloaded, error.description)
        } catch let error as RecognitionError {
            throw DetectFacesError(.runtimeError, error.description)
        }
    }

    /// A whole picture sent in a request body (the faces page's `POST /api/recognize`): decoded on
    /// a worker within `limits.decoder`'s size and pixel limits, every face through the one
    /// pipeline, described exactly as `detect_faces` describes the faces of a person box. Returns
    /// JSON text `{"width", "height", "faceStatus", "faces": [...]}`. Throws `ImageDecodingError` for
    /// a picture that cannot be used, `DetectFacesError` (`Overloaded`) when no worker is free in time.
    public func recognizeImage(_ data: Data, name: String) async throws -> String {
        let (recognizer, decoder) = (recognizer, limits.decoder)
        guard data.count <= decoder.maxFileBytes else {
            ResourceLimit.imageBytes.recordBreach()
            throw ImageDecodingError.fileTooLarge(path: name, bytes: data.count, limit: decoder.maxFileBytes)
        }
        let answer: Result<(Int, Int, RegionReport), ImageDecodingError>
        do {
            answer = try await pool.run(waitingAtMost: limits.queueWait) { models in
                let image: RGBImage
                do {
                    (image, _) = try Telemetry.Stage.decode.measure { try decoder.decode(data, name: name) }
                } catch let error as ImageDecodingError {
                    error.breachedLimit?.recordBreach()
                    return .failure(error)
                }
                return .success((image.width, image.height, try recognizer.recognize(image, models: models)))
            }
        } catch let error as PoolError {
            if case .overloaded = error { ResourceLimit.queueWait.recordBreach() }
            throw DetectFacesError(.overloaded, error.description)
        } catch let error as RecognitionError {
            throw DetectFacesError(.runtimeError, error.description)
        }
        let (width, height, report) = try answer.get()
        Telemetry.personLabelAnswered(report.status)
        return PythonJSON.serialize(
            .map([
                (.string("width"), .int(Int64(width))), (.string("height"), .int(Int64(height))),
                (.string("faceStatus"), .string(report.status.rawValue)),
                (.string("faces"), .array(report.faces.map(Self.describe))),
            ]))
    }

    /// Adds the answer to a person label, keeping its keys and their order; `face` goes last among the
    /// original's keys, as the Python server appended it. `face` is the original's field and keeps its
    /// meaning: the accepted class, so the trained stranger class answers `"Unknown"` there (the
    /// uploader and the Alexa handler read it so), while `faceStatus` and `faces[].name` follow the
    /// pipeline's rule (`unknown`, no name).
    static func annotate(_ label: MessagePackValue, with report: RegionReport) -> MessagePackValue {
        var result = label.setting("face", to: report.best?.identification?.name.map { .string($0) } ?? .nil)
        if let probability = report.best?.identification?.probability {
            result = result.setting("faceProba", to: .double(probability))
        }
        result = result.setting("faceStatus", to: .string(report.status.rawValue))
        return result.setting("faces", to: .array(report.faces.map(describe)))
    }

    private static func describe(_ face: FaceReport) -> MessagePackValue {
        func number(_ value: Double?) -> MessagePackValue { value.map { .double($0) } ?? .nil }
        let box = MessagePackValue.map([
            (.string("top"), .int(Int64(face.box.top))), (.string("right"), .int(Int64(face.box.right))),
            (.string("bottom"), .int(Int64(face.box.bottom))), (.string("left"), .int(Int64(face.box.left))),
        ])
        return .map([
            (.string("box"), box),
            (.string("name"), face.name.map { .string($0) } ?? .nil),
            (.string("probability"), number(face.identification?.probability)),
            (.string("distance"), number(face.identification?.distance)),
            (.string("margin"), number(face.identification?.margin)),
            (.string("focus"), number(face.focus)),
            (.string("confidence"), .double(face.confidence)),
            (.string("status"), .string(face.status.rawValue)),
        ])
    }
}

extension MessagePackValue {
    /// A map with `key` replaced in place, or appended when absent.
    func setting(_ key: String, to value: MessagePackValue) -> MessagePackValue {
        guard case .map(var pairs) = self else { return self }
        if let index = pairs.firstIndex(where: { $0.key == .string(key) }) {
            pairs[index].value = value
        } else {
            pairs.append((.string(key), value))
        }
        return .map(pairs)
    }
}
