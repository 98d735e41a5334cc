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
        let scan = DatasetScan.scan(root)
        let images = scan.images
        guard !images.isEmpty else {
            for entry in scan.skipped {
                FileHandle.standardError.write(Data("skipped \(entry.path): \(entry.reason)\n".utf8))
            }
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
        var skipped = scan.skipped
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

/// Walks a folder-per-person dataset, following symbolic links to files and folders (a person's
/// folder is often a link into a photo library).
enum DatasetScan {
    struct Image: Sendable {
        let url: URL
        let label: String
    }

    struct Result {
        var images: [Image] = []
        /// Entries that cannot be used, each with its reason: dangling links, link cycles, folders
        /// that cannot be listed, things that are neither files nor folders.
        var skipped: [EncodingSet.Skipped] = []
    }

    /// Every non-hidden file below `root`, labelled by its folder as reached through the dataset
    /// (a linked folder by the link's name; a `no_faces` folder by its parent's name, as the
    /// original did), in a stable order. A link back to a folder being walked is a cycle: it is
    /// reported, not followed.
    static func scan(_ root: URL) -> Result {
        var result = Result()
        let rootPath = root.standardizedFileURL.path
        guard let rootReal = realPath(rootPath) else { return result }
        walk(
            URL(fileURLWithPath: rootPath, isDirectory: true), rootPath: rootPath, ancestors: [rootReal], into: &result)
        result.images.sort { $0.url.path < $1.url.path }
        result.skipped.sort { $0.path < $1.path }
        return result
    }

    private static func walk(_ folder: URL, rootPath: String, ancestors: Set<String>, into result: inout Result) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        } catch {
            result.skipped.append(.init(path: folder.path, reason: "cannot list folder"))
            return
        }
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            var link = stat()
            guard lstat(url.path, &link) == 0 else {
                result.skipped.append(.init(path: url.path, reason: "cannot read file information"))
                continue
            }
            let isLink = link.st_mode & S_IFMT == S_IFLNK
            var target = stat()
            guard stat(url.path, &target) == 0 else {
                let reason = errno
                let destination = (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) ?? "?"
                switch (isLink, reason) {
                case (true, ELOOP):
                    result.skipped.append(.init(path: url.path, reason: "symlink cycle: links lead back to themselves"))
                case (true, _):
                    result.skipped.append(.init(path: url.path, reason: "dangling symlink to \(destination)"))
                default:
                    result.skipped.append(.init(path: url.path, reason: "cannot read file information"))
                }
                continue
            }
            switch target.st_mode & S_IFMT {
            case S_IFDIR:
                guard let real = realPath(url.path) else {
                    result.skipped.append(.init(path: url.path, reason: "cannot resolve folder"))
                    continue
                }
                if ancestors.contains(real) {
                    result.skipped.append(
                        .init(
                            path: url.path,
                            reason: "symlink cycle: leads back to \(real), a folder that contains this link"))
                    continue
                }
                walk(url, rootPath: rootPath, ancestors: ancestors.union([real]), into: &result)
            case S_IFREG:
                var labelFolder = folder
                if labelFolder.lastPathComponent == "no_faces" { labelFolder = labelFolder.deletingLastPathComponent() }
                // Files at the top level belong to nobody: the dataset is one folder per person.
                guard labelFolder.path != rootPath else { continue }
                result.images.append(Image(url: url, label: labelFolder.lastPathComponent))
            default:
                result.skipped.append(.init(path: url.path, reason: "not a regular file or folder"))
            }
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
