import Foundation
import Sink

/// The training dataset on disk, in the original's layout: one folder per person (the folder name
/// is the class) and `Unknown/` for strangers. The user's own photos are never touched except by
/// an explicit delete; the train job's exports are the `zmface-<face id>.jpg` files.
struct Dataset: Sendable {
    let root: String

    enum Failure: Error, CustomStringConvertible {
        case exists(String)
        case io(String)

        var description: String {
            switch self {
            case .exists(let message), .io(let message): message
            }
        }
    }

    private var files: FileManager { FileManager.default }

    func folder(_ person: PersonName?) -> String {
        root + "/" + (person?.value ?? PersonName.strangerFolder)
    }

    /// Every person folder (not `Unknown`, not hidden) with how many photos it holds.
    func people() -> [String: Int] {
        let names = (try? files.contentsOfDirectory(atPath: root)) ?? []
        var people: [String: Int] = [:]
        for name in names where !name.hasPrefix(".") && name != PersonName.strangerFolder {
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory), isDirectory.boolValue else {
                continue
            }
            people[name] = photos(inFolder: root + "/" + name).count
        }
        return people
    }

    /// The person's photos (regular files directly in the folder, hidden ones left out), sorted.
    func photos(of person: PersonName) -> [String] {
        photos(inFolder: folder(person))
    }

    private func photos(inFolder path: String) -> [String] {
        ((try? files.contentsOfDirectory(atPath: path)) ?? []).filter { name in
            guard !name.hasPrefix(".") else { return false }
            let attributes = try? files.attributesOfItem(atPath: path + "/" + name)
            return attributes?[.type] as? FileAttributeType == .typeRegular
        }.sorted()
    }

    /// The path of one photo, or nil when there is no such regular file.
    func photoPath(_ person: PersonName, _ file: DatasetFileName) -> String? {
        let path = folder(person) + "/" + file.value
        let attributes = try? files.attributesOfItem(atPath: path)
        return attributes?[.type] as? FileAttributeType == .typeRegular ? path : nil
    }

    func deletePhoto(_ person: PersonName, _ file: DatasetFileName) throws {
        guard let path = photoPath(person, file) else { throw Failure.io("no photo \(file.value) of \(person.value)") }
        do {
            try files.removeItem(atPath: path)
        } catch {
            throw Failure.io("could not delete \(file.value): \((error as NSError).localizedDescription)")
        }
    }

    /// Renames the person's folder; into an existing folder of the new name the photos are moved,
    /// unless a file name is in both (then nothing moves). No folder: nothing to do.
    func rename(_ old: PersonName, to new: PersonName) throws {
        let (from, to) = (folder(old), folder(new))
        guard files.fileExists(atPath: from) else { return }
        do {
            if !files.fileExists(atPath: to) {
                try files.moveItem(atPath: from, toPath: to)
                return
            }
            let moving = try files.contentsOfDirectory(atPath: from)
            let clash = Set(moving).intersection(try files.contentsOfDirectory(atPath: to))
            guard clash.isEmpty else {
                throw Failure.exists(
                    "\(new.value)'s folder already has \(clash.sorted().prefix(3).joined(separator: ", ")); "
                        + "nothing was renamed")
            }
            for name in moving { try files.moveItem(atPath: from + "/" + name, toPath: to + "/" + name) }
            try files.removeItem(atPath: from)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure.io("could not rename the dataset folder: \((error as NSError).localizedDescription)")
        }
    }

    /// What an export did.
    struct ExportReport: Sendable, Equatable {
        var written = 0
        var kept = 0
        var removed = 0
        /// Labelled faces whose crop file is gone (retention or a deleted cluster): not exported.
        var missingCrops = 0
    }

    /// Mirrors the labelled faces into the dataset: each face with a crop as
    /// `<label or Unknown>/zmface-<face id>.jpg`; exported files of faces no longer labelled so are
    /// removed. The user's own photos are left alone.
    func export(_ faces: [FaceLibrary.TrainingFace], crops: FaceCropFiles) throws -> ExportReport {
        var report = ExportReport()
        var wanted = Set<String>()
        for face in faces {
            let person = face.person.flatMap { try? PersonName(validating: $0) }
            // A label that is not a valid folder name cannot have been stored through the API.
            if face.person != nil && person == nil { continue }
            guard let source = crops.file(of: face.crop)?.path else { continue }
            let folder = folder(person)
            let target = folder + "/" + DatasetFileName.exportPrefix + face.id.description + ".jpg"
            guard files.fileExists(atPath: source) else {
                report.missingCrops += 1
                continue
            }
            wanted.insert(target)
            if files.fileExists(atPath: target) {
                report.kept += 1
                continue
            }
            do {
                try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try files.copyItem(atPath: source, toPath: target)
                report.written += 1
            } catch {
                throw Failure.io("could not write \(target): \((error as NSError).localizedDescription)")
            }
        }
        for folder in (try? files.contentsOfDirectory(atPath: root)) ?? [] where !folder.hasPrefix(".") {
            for name in (try? files.contentsOfDirectory(atPath: root + "/" + folder)) ?? []
            where name.hasPrefix(DatasetFileName.exportPrefix) && name.hasSuffix(".jpg") {
                let path = root + "/" + folder + "/" + name
                if !wanted.contains(path), (try? files.removeItem(atPath: path)) != nil { report.removed += 1 }
            }
        }
        return report
    }
}
