import Foundation
import Testing
import Workers
import ZMFaceCore

/// Real models (from scripts/setup) and real photos (from scripts/fetch-test-data). Missing files
/// fail the tests loudly: a recognition test that silently skips proves nothing.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let modelFiles = ModelFiles(directory: packageRoot.appendingPathComponent("models"))

    static var photosDirectory: URL {
        if let custom = ProcessInfo.processInfo.environment["ZMFACE_TEST_PHOTOS"] {
            return URL(fileURLWithPath: custom)
        }
        return packageRoot.appendingPathComponent(".cache/test-photos")
    }

    static func photoPath(_ name: String) throws -> String {
        let path = photosDirectory.appendingPathComponent(name).path
        try #require(
            FileManager.default.fileExists(atPath: path),
            "test photo \(path) is missing: run scripts/fetch-test-data")
        return path
    }

    static func photo(_ name: String) throws -> RGBImage {
        try ImageDecoder().decode(fileAtPath: photoPath(name))
    }

    static func photoData(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: photoPath(name)))
    }

    /// A fresh model set per test: sets are not shareable between the threads tests run on.
    static func models() throws -> FaceModelSet {
        try #require(
            FileManager.default.fileExists(atPath: modelFiles.resnet.path),
            "dlib models missing in \(modelFiles.directory.path): run scripts/setup")
        return try FaceModelSet(files: modelFiles)
    }

    /// A scratch directory removed when the returned closure is called.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zmface-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
