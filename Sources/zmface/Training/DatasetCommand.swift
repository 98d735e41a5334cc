import ArgumentParser
import Foundation
import Training
import Workers
import ZMFaceCore

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Prepare a folder-per-person training dataset.",
        subcommands: [RenumberCommand.self, AddStrangersCommand.self, ExtractCommand.self]
    )
}

/// What the dataset tools pick up by name; `encode` and the decoder go by content, not by name.
private let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "webp", "bmp"]

private func isImage(_ url: URL) -> Bool { imageExtensions.contains(url.pathExtension.lowercased()) }

struct RenumberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renumber",
        abstract: "Rename a folder's images to 00000000.jpg, 00000001.png, … in name order.",
        discussion: """
            Like the original renumber_filenames.py, but safe to repeat: files are first moved to \
            temporary names, so no rename ever overwrites another file.

            Example:
              zmface dataset renumber dataset/lindo_st_angel
            """
    )

    @Argument(help: "Folder whose .jpg/.jpeg/.png/.webp/.bmp files are renamed (not recursive).") var directory: String
    @Flag(help: "Print the renames without doing them.") var dryRun = false

    func run() throws {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter(isImage).sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            CommandError.report(CommandError.message("\(directory): cannot list folder"))
            throw ExitCode.failure
        }
        let targets = files.enumerated().map { index, url in
            folder.appendingPathComponent(String(format: "%08d.", index) + url.pathExtension.lowercased())
        }
        if dryRun {
            for (from, to) in zip(files, targets) where from != to {
                print("\(from.lastPathComponent) -> \(to.lastPathComponent)")
            }
            return
        }
        let token = UUID().uuidString
        let staged = files.enumerated().map { folder.appendingPathComponent(".renumber-\(token)-\($0.offset)") }
        do {
            for (from, temporary) in zip(files, staged) { try FileManager.default.moveItem(at: from, to: temporary) }
            for (temporary, to) in zip(staged, targets) { try FileManager.default.moveItem(at: temporary, to: to) }
        } catch {
            CommandError.report(
                CommandError.message(
                    "\(directory): renaming failed (\(error)); temporary names start with .renumber-\(token)"))
            throw ExitCode.failure
        }
        print("renumbered \(files.count) images in \(directory)")
    }
}

struct AddStrangersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-strangers",
        abstract: "Copy random face images of other people into the dataset's Unknown folder.",
        discussion: """
            The original fetched random LFW faces; this takes any local folder tree of photos (an \
            extracted LFW tarball, say), picks images at random (seeded), keeps only those with \
            exactly one detectable face, and copies them in under content-hash names, skipping \
            images already there.

            Example:
              zmface dataset add-strangers ~/lfw --into dataset/Unknown --count 200
            """
    )

    @Argument(help: "Folder tree of photos of strangers.") var source: String
    @Option(help: "The dataset's Unknown folder.") var into: String
    @Option(help: "How many images to add.") var count: Int = 200
    @Option(help: "Random seed for the choice.") var seed: UInt64 = 1234
    @OptionGroup var recognition: RecognitionOptions

    func run() async throws {
        do {
            let sourceURL = URL(fileURLWithPath: source, isDirectory: true)
            guard let walker = FileManager.default.enumerator(at: sourceURL, includingPropertiesForKeys: nil) else {
                throw CommandError.message("\(source): cannot read folder")
            }
            var candidates = walker.compactMap { $0 as? URL }.filter(isImage).sorted { $0.path < $1.path }
            guard !candidates.isEmpty else {
                throw CommandError.message("\(source): no .jpg/.jpeg/.png/.webp/.bmp images found")
            }
            var generator = SeededGenerator(seed: seed)
            candidates.shuffle(using: &generator)
            let target = URL(fileURLWithPath: into, isDirectory: true)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            let models = try recognition.loadModels()
            let decoder = recognition.decoder
            var added = 0
            var rejected = 0
            for url in candidates where added < count {
                guard let data = try? Data(contentsOf: url), let image = try? decoder.decode(data, name: url.path),
                    (try? models.detectFaces(in: image, detector: recognition.detector, upsample: recognition.upsample))?
                        .count == 1
                else {
                    rejected += 1
                    continue
                }
                let name = "stranger-\(EncodingSet.contentHash(data).prefix(16)).\(url.pathExtension.lowercased())"
                let destination = target.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: destination.path) { continue }
                try data.write(to: destination)
                added += 1
            }
            print("added \(added) strangers to \(into) (\(rejected) images without exactly one face skipped)")
            if added < count { print("only \(added) of \(count) requested: the source has no more usable images") }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }
}

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Cut face or person crops out of images for training (like extract_faces.py).",
        discussion: """
            For every face found, --faces writes the tight face crop; --persons (default) writes the \
            region around it, 1.5 face widths to each side, 1 face height above and 4 below, resized \
            to 300 px wide, the crops the original author recommended training on. Files are named \
            <image>-<n>-face.jpg / <image>-<n>-person.jpg.

            Example:
              zmface dataset extract /var/cache/zoneminder/events/1/2026-11-29/*/*-capture.jpg --out crops/
            """
    )

    @Argument(help: "Images to cut crops from.") var images: [String]
    @Option(help: "Output folder (created if missing).") var out: String
    @Flag(help: "Write face crops or person crops.") var kind: Kind = .persons
    @Option(help: "Width of person crops.") var width: Int = 300
    @OptionGroup var recognition: RecognitionOptions

    enum Kind: String, EnumerableFlag {
        case faces, persons
    }

    func run() throws {
        let models = try recognition.loadModels()
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written = 0
        var failures = 0
        for path in images {
            do {
                let image = try recognition.decoder.decode(fileAtPath: path)
                let faces = try models.detectFaces(
                    in: image, detector: recognition.detector, upsample: recognition.upsample)
                let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                for (index, face) in faces.enumerated() {
                    let box = face.box
                    let region: FaceBox
                    switch kind {
                    case .faces: region = box
                    case .persons:
                        region = FaceBox(
                            top: box.top - box.height, right: box.right + box.width * 3 / 2,
                            bottom: box.bottom + box.height * 4, left: box.left - box.width * 3 / 2
                        ).trimmed(toWidth: image.width, height: image.height)
                    }
                    guard var crop = image.cropped(to: region) else { continue }
                    if kind == .persons { crop = crop.resized(toWidth: width) }
                    let name = "\(stem)-\(index)-\(kind == .faces ? "face" : "person").jpg"
                    try ImageEncoder.jpeg(crop).write(to: folder.appendingPathComponent(name))
                    written += 1
                }
            } catch {
                failures += 1
                CommandError.report(error)
            }
        }
        print("wrote \(written) crops to \(out)")
        if failures > 0 { throw ExitCode.failure }
    }
}
