import Foundation

/// Which image paths a caller may make the server read: only files under the configured roots
/// (by default ZoneMinder's event storage), checked on the path as written and again after
/// symbolic links are resolved, so neither `..` nor a link can lead outside.
public struct ImagePathPolicy: Sendable, Equatable {
    public let roots: [String]

    /// `roots` are directories; "/" allows everything.
    public init(roots: [String]) {
        self.roots = roots.map { Self.normalized($0) }
    }

    public func allows(_ path: String) -> Bool {
        guard path.hasPrefix("/"), !path.contains("\0") else { return false }
        guard isUnderRoot(Self.normalized(path)) else { return false }
        // A path that does not exist cannot be read anyway; the decoder reports it as unreadable.
        guard let resolved = Self.resolved(path) else { return true }
        return roots.contains { root in Self.isUnder(resolved, root: Self.resolved(root) ?? root) }
    }

    private func isUnderRoot(_ path: String) -> Bool {
        roots.contains { Self.isUnder(path, root: $0) }
    }

    private static func isUnder(_ path: String, root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root + "/")
    }

    /// Lexical clean-up: collapses `//`, `.` and `..` without touching the file system.
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    private static func resolved(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }
}
