public import Foundation
import ZMFaceCore

/// The page's static files (HTML, JS, CSS, icons), found like the model files: `web.assetsPath`
/// when set (only that), else the build checkout's `Sources/Web/Assets`, `../share/zmface/web` next
/// to the binary's folder, `/usr/share/zmface/web`. Read from disk on each request, so a changed
/// page needs no rebuild.
public struct WebAssets: Sendable, Equatable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public static let entryFile = "index.html"

    /// Throws with every folder tried when none holds index.html.
    public static func locate(explicit: String?) throws -> WebAssets {
        let candidates = InstallLocations.candidates(
            explicit: explicit, checkoutPath: "Sources/Web/Assets", sharePath: "web")
        guard let found = InstallLocations.first(of: candidates, containing: entryFile) else {
            throw AssetsNotFound(searched: candidates)
        }
        return WebAssets(directory: URL(fileURLWithPath: found, isDirectory: true))
    }

    public struct AssetsNotFound: Error, CustomStringConvertible {
        public let searched: [String]
        public var description: String {
            "the faces page's files (index.html) were not found; looked in: \(searched.joined(separator: ", ")) "
                + "(set web.assetsPath)"
        }
    }

    /// The path of a file directly in the folder: one plain name (letters, digits, `.`, `-`, `_`,
    /// not starting with `.`), regular file; nil otherwise.
    func path(of file: String) -> String? {
        guard !file.isEmpty, file.count <= 100, !file.hasPrefix("."),
            file.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
            })
        else { return nil }
        let path = directory.appendingPathComponent(file).path
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return attributes?[.type] as? FileAttributeType == .typeRegular ? path : nil
    }
}
