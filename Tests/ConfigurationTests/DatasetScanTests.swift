import Foundation
import Testing

@testable import zmface

/// `zmface encode`'s walk of a folder-per-person dataset: linked files and folders are followed and
/// labelled by their names in the dataset; every link that cannot be followed (dangling, a cycle
/// back to a folder being walked, a link to itself) is listed as skipped with its reason, and the
/// walk ends.
@Suite struct DatasetScanTests {
    private let fileManager = FileManager.default

    private func scratch() throws -> URL {
        let url = fileManager.temporaryDirectory.appendingPathComponent("zmface-dataset-\(UUID().uuidString)")
        try fileManager.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func file(_ url: URL) throws {
        try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: url)
    }

    private func link(_ url: URL, to destination: String) throws {
        try fileManager.createSymbolicLink(atPath: url.path, withDestinationPath: destination)
    }

    private func reason(_ scan: DatasetScan.Result, _ name: String) -> String? {
        scan.skipped.first { $0.path.hasSuffix("/" + name) }?.reason
    }

    @Test("Linked files and folders are followed and labelled by their names in the dataset")
    func linksFollowed() throws {
        let base = try scratch()
        defer { try? fileManager.removeItem(at: base) }
        let root = base.appendingPathComponent("dataset")
        try file(base.appendingPathComponent("library/alice-2019/a.jpg"))
        try file(base.appendingPathComponent("library/alice-2019/no_faces/n.jpg"))
        try file(base.appendingPathComponent("loose/b.jpg"))
        try file(root.appendingPathComponent("bob/own.jpg"))
        try link(root.appendingPathComponent("alice"), to: base.appendingPathComponent("library/alice-2019").path)
        try link(root.appendingPathComponent("bob/linked.jpg"), to: "../../loose/b.jpg")
        try file(root.appendingPathComponent("top-level.jpg"))

        let scan = DatasetScan.scan(root)
        let found = scan.images.map { "\($0.label):\($0.url.path.dropFirst(root.path.count + 1))" }
        #expect(found == ["alice:alice/a.jpg", "alice:alice/no_faces/n.jpg", "bob:bob/linked.jpg", "bob:bob/own.jpg"])
        #expect(scan.skipped.isEmpty)
    }

    @Test("A dataset reached through a link is walked the same")
    func linkedRoot() throws {
        let base = try scratch()
        defer { try? fileManager.removeItem(at: base) }
        try file(base.appendingPathComponent("real/carol/c.jpg"))
        try link(base.appendingPathComponent("dataset"), to: "real")
        let scan = DatasetScan.scan(base.appendingPathComponent("dataset"))
        #expect(scan.images.map(\.label) == ["carol"])
    }

    @Test("Cycles and dangling links are listed as skipped with their reasons, and the walk ends")
    func cyclesAndDanglingLinks() throws {
        let base = try scratch()
        defer { try? fileManager.removeItem(at: base) }
        let root = base.appendingPathComponent("dataset")
        try file(root.appendingPathComponent("dave/d.jpg"))
        try link(root.appendingPathComponent("dave/up"), to: "..")  // back to the dataset
        try link(root.appendingPathComponent("dave/here"), to: ".")  // back to its own folder
        try link(root.appendingPathComponent("dave/self.jpg"), to: "self.jpg")  // a link to itself
        try link(root.appendingPathComponent("dave/ping.jpg"), to: "pong.jpg")  // two links to each other
        try link(root.appendingPathComponent("dave/pong.jpg"), to: "ping.jpg")
        try link(root.appendingPathComponent("dave/gone.jpg"), to: "/nonexistent/gone.jpg")
        // A link to a sibling is no cycle: its photos are read again under the link's name.
        try file(root.appendingPathComponent("erin/e.jpg"))
        try link(root.appendingPathComponent("erin-too"), to: "erin")

        let scan = DatasetScan.scan(root)
        // sorted by path: "erin-too/" before "erin/"
        #expect(scan.images.map(\.label) == ["dave", "erin-too", "erin"])
        #expect(reason(scan, "dave/up")?.hasPrefix("symlink cycle: leads back to") == true)
        #expect(reason(scan, "dave/here")?.hasPrefix("symlink cycle: leads back to") == true)
        #expect(reason(scan, "dave/self.jpg") == "symlink cycle: links lead back to themselves")
        #expect(reason(scan, "dave/ping.jpg") == "symlink cycle: links lead back to themselves")
        #expect(reason(scan, "dave/gone.jpg") == "dangling symlink to /nonexistent/gone.jpg")
        #expect(scan.skipped.count == 6)
    }

    @Test("A link through a plain file (plain/inner) is skipped as dangling, its siblings still read")
    func linkThroughAFile() throws {
        let base = try scratch()
        defer { try? fileManager.removeItem(at: base) }
        let root = base.appendingPathComponent("dataset")
        try file(root.appendingPathComponent("frank/f.jpg"))
        try file(base.appendingPathComponent("plain"))
        try link(root.appendingPathComponent("frank/odd"), to: base.appendingPathComponent("plain/inner").path)
        let scan = DatasetScan.scan(root)
        #expect(scan.images.map(\.label) == ["frank"])
        #expect(reason(scan, "frank/odd")?.hasPrefix("dangling symlink") == true)
    }
}
