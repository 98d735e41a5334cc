import ArgumentParser
import Foundation
import Recognition
import Training
import Workers
import ZMFaceCore

struct EncodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode a folder-per-person dataset into face encodings for training.",
        discussion: """
            DATASET holds one folder per person (the folder name is the label) and an Unknown/ folder \
            of strangers; images may sit in subfolders (a no_faces/ subfolder counts for its parent, \
            as in the original encode_faces.py). Each image's largest face is encoded; images with no \
            face, several faces or that cannot be read are listed with the reason. Re-running with \
            the same --out only encodes images whose content is new.

            Example:
              zmface encode dataset/ --out encodings.json --detector hog --jitters 10
            """
    )

    @Argument(help: "Dataset folder: one subfolder per person, plus Unknown/.")
    var dataset: String

    @Option(help: "Encodings file to write (and reuse as a cache).")
    var out: String

    @Option(help: "Recognition workers (default: one per core).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var recognition: RecognitionOptions

    func run() async throws {
        do {
            try await encode()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }

    private func encode() async throws {
        let root = URL(fileURLWithPath: dataset, isDirectory: true)
        guard FileManager.default.fileExists(atPath: root.path) else {
            throw CommandError.message("\(dataset): no such dataset folder")
        }
        let images = DatasetScan.images(in: root)
        guard !images.isEmpty else {
            throw CommandError.message("\(dataset): no files found (expected one folder per person)")
        }
        let settings = FaceClassifierModel.EncoderSettings(
            detector: recognition.detector.rawValue, upsample: recognition.upsample, jitters: recognition.jitters)
        let outURL = URL(fileURLWithPath: out)
        var cache: [String: EncodingSet.Sample] = [:]
        if let previous = try? EncodingSet.load(from: outURL), previous.encoder == settings {
            for sample in previous.samples { cache[sample.sha256] = sample }
        }

        let pool = try await RecognitionPool(
            workers: max(1, workers), modelFiles: ModelFiles.locate(explicit: recognition.models),
            queueCapacity: images.count)
        let progress = ProgressBar(total: images.count, label: "encoding")
        let (recognizer, decoder, cached) = (
            FaceRecognizer(settings: recognition.ungated, identifier: nil), recognition.decoder, cache
        )
        var samples: [EncodingSet.Sample] = []
        var skipped: [EncodingSet.Skipped] = []
        var reused = 0
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            for image in images {
                group.addTask {
                    defer { progress.advance() }
                    return try await Self.encode(
                        image, pool: pool, recognizer: recognizer, decoder: decoder, cache: cached)
                }
            }
            for try await outcome in group {
                switch outcome {
                case .sample(let sample, let fromCache):
                    samples.append(sample)
                    if fromCache { reused += 1 }
                case .skipped(let entry): skipped.append(entry)
                }
            }
        }
        await pool.shutdown()
        samples.sort { $0.path < $1.path }
        skipped.sort { $0.path < $1.path }
        try EncodingSet(encoder: settings, samples: samples, skipped: skipped).write(to: outURL)

        for entry in skipped { FileHandle.standardError.write(Data("skipped \(entry.path): \(entry.reason)\n".utf8)) }
        for sample in samples where sample.faces > 1 {
            FileHandle.standardError.write(
                Data("note \(sample.path): \(sample.faces) faces, the largest was used\n".utf8))
        }
        let perLabel = Dictionary(grouping: samples, by: \.label).map { "\($0.key)=\($0.value.count)" }.sorted()
        print(
            "encoded \(samples.count) of \(images.count) images (\(reused) from cache), skipped \(skipped.count); "
                + "per label: \(perLabel.joined(separator: " ")); wrote \(out)")
    }

    enum Outcome: Sendable {
        case sample(EncodingSet.Sample, fromCache: Bool)
        case skipped(EncodingSet.Skipped)
    }

    private static func encode(
        _ image: DatasetScan.Image, pool: RecognitionPool, recognizer: FaceRecognizer, decoder: ImageDecoder,
        cache: [String: EncodingSet.Sample]
    ) async throws -> Outcome {
        let data: Data
        do {
            data = try Data(contentsOf: image.url)
        } catch {
            return .skipped(.init(path: image.url.path, reason: "cannot read file"))
        }
        let hash = EncodingSet.contentHash(data)
        if var sample = cache[hash] {
            sample.path = image.url.path
            sample.label = image.label
            return .sample(sample, fromCache: true)
        }
        return try await pool.run(waitingAtMost: nil) { models in
            let picture: RGBImage
            do {
                picture = try decoder.decode(data, name: image.url.path)
            } catch {
                return .skipped(.init(path: image.url.path, reason: "\(error)"))
            }
            let (face, facesFound) = try recognizer.recognizeLargestFace(picture, models: models)
            guard let encoding = face?.encoding else {
                return .skipped(.init(path: image.url.path, reason: "no face found"))
            }
            return .sample(
                .init(path: image.url.path, label: image.label, sha256: hash, faces: facesFound, encoding: encoding),
                fromCache: false)
        }
    }
}

/// Walks a folder-per-person dataset.
enum DatasetScan {
    struct Image: Sendable {
        let url: URL
        let label: String
    }

    /// Every regular, non-hidden file below `root`, labelled by its folder (a `no_faces` folder by its
    /// parent's name, as the original did), in a stable order.
    static func images(in root: URL) -> [Image] {
        guard
            let walker = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var images: [Image] = []
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            var folder = url.deletingLastPathComponent()
            if folder.lastPathComponent == "no_faces" { folder = folder.deletingLastPathComponent() }
            guard folder.standardizedFileURL.path != root.standardizedFileURL.path else { continue }
            images.append(Image(url: url, label: folder.lastPathComponent))
        }
        return images.sorted { $0.url.path < $1.url.path }
    }
}
