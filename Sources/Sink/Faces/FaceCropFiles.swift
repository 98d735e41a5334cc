public import Foundation
public import ZMFaceCore

/// The crop files under `faces.cropsPath`: `<event_id>/<frame_id>-<face_index>.jpg`, the path
/// stored in `detections.crop`. Written before the event's commit (so a committed row never points
/// at a file still to come; a re-run overwrites the same names), and after the commit the event's
/// older files that no row names any more are removed. A crop that cannot be written is logged and
/// counted, and the face is stored without one: crops never cost an event its results.
public struct FaceCropFiles: Sendable {
    public let root: URL

    public init(root: String) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
    }

    /// What `write` did: the caller logs failures (counted here).
    public struct Report: Sendable {
        public var written = 0
        public var failed = 0
        public var firstError: String?
    }

    public func url(of relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// The file of a path read back from `detections.crop`, nil unless it has the writer's form
    /// (so a row can never point outside the folder).
    public func file(of storedPath: String) -> URL? {
        Self.isCropPath(storedPath) ? url(of: storedPath) : nil
    }

    /// Writes the crops the recogniser cut, sets each face's `crop` and drops the JPEG bytes.
    @discardableResult
    public func write(_ results: inout EventResults) -> Report {
        let eventID = results.event.id
        let folder = root.appendingPathComponent(String(eventID), isDirectory: true)
        var (written, failed) = (0, 0)
        var folderReady = false
        var firstError: String?
        results.updateCrops { frameID, face in
            defer { face.cropJPEG = nil }
            if face.cropFailed { failed += 1 }
            guard let jpeg = face.cropJPEG else { return }
            let key = FaceKey(eventID: eventID, frameID: frameID, faceIndex: face.index)
            do {
                if !folderReady {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    folderReady = true
                }
                try jpeg.write(to: url(of: key.cropPath), options: .atomic)
                face.crop = key.cropPath
                written += 1
            } catch {
                failed += 1
                firstError = firstError ?? "\(key.cropPath): \((error as NSError).localizedDescription)"
            }
        }
        Telemetry.faceCrops(written: written, failed: failed)
        return Report(written: written, failed: failed, firstError: firstError)
    }

    /// After a commit: removes the event's crop files that `kept` (the paths its rows now name)
    /// does not hold, e.g. faces an earlier run found and this one did not, and the folder once empty.
    public func removeStale(eventID: Int64, kept: Set<String>) {
        let folder = root.appendingPathComponent(String(eventID), isDirectory: true)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        var left = 0
        for name in names {
            let relative = "\(eventID)/\(name)"
            guard Self.isCropName(name), !kept.contains(relative) else {
                left += 1
                continue
            }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        if left == 0 { try? FileManager.default.removeItem(at: folder) }
    }

    /// Deletes crop files (retention); a file already gone is fine. Returns how many were removed.
    @discardableResult
    public func remove(_ relativePaths: [String]) -> Int {
        var removed = 0
        var folders: Set<String> = []
        for path in relativePaths where Self.isCropPath(path) {
            if (try? FileManager.default.removeItem(at: url(of: path))) != nil { removed += 1 }
            folders.insert(String(path.prefix { $0 != "/" }))
        }
        for folder in folders {
            let url = root.appendingPathComponent(folder, isDirectory: true)
            if (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.isEmpty == true {
                try? FileManager.default.removeItem(at: url)
            }
        }
        return removed
    }

    /// `<frame>-<face>.jpg`: the only names zmface writes (anything else in the folder is left alone).
    static func isCropName(_ name: String) -> Bool {
        guard name.hasSuffix(".jpg") else { return false }
        let parts = name.dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2
            && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    /// `<event>/<frame>-<face>.jpg`: a path from `detections.crop` that cannot leave the folder.
    static func isCropPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[0].allSatisfy { $0.isASCII && $0.isNumber }
            && isCropName(String(parts[1]))
    }
}
