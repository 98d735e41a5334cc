import Foundation
import Testing

@testable import FaceAPI

/// Callers may only make the server read under the configured roots; neither `..`, a look-alike
/// prefix nor a symbolic link may lead outside.
@Suite struct ImagePathPolicyTests {
    @Test("Paths under a root are allowed; others, relative ones and look-alike prefixes are not")
    func lexical() {
        let policy = ImagePathPolicy(roots: ["/var/cache/zoneminder/events/"])
        #expect(policy.allows("/var/cache/zoneminder/events/1/2026-01-01/5/00001-capture.jpg"))
        #expect(!policy.allows("/var/cache/zoneminder/events2/x.jpg"))
        #expect(!policy.allows("/var/cache/zoneminder/events/../../../../etc/passwd"))
        #expect(!policy.allows("events/1/x.jpg"))
        #expect(!policy.allows("/etc/passwd"))
        #expect(ImagePathPolicy(roots: ["/"]).allows("/etc/hostname"))
    }

    @Test("A symbolic link inside a root that points outside it is refused; one that stays inside is allowed")
    func symlinks() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("zmface-roots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let inside = root.appendingPathComponent("frame.jpg")
        try Data([1]).write(to: inside)
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("escape.jpg").path, withDestinationPath: "/etc/hostname")
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("alias.jpg").path, withDestinationPath: inside.path)
        let policy = ImagePathPolicy(roots: [root.path])
        #expect(policy.allows(inside.path))
        #expect(policy.allows(root.appendingPathComponent("alias.jpg").path))
        #expect(!policy.allows(root.appendingPathComponent("escape.jpg").path))
    }
}
