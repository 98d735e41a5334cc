public import Foundation

/// Where zmface looks for the data files it ships (the dlib models, the faces page): an explicit
/// folder when configured (only that one), else an environment variable, a folder of the current
/// directory, the checkout the running binary was built in (`.build/<triple>/<config>/zmface`),
/// then the install locations (`<prefix>/bin/zmface` → `<prefix>/share/zmface/<name>`, and /usr/share).
public enum InstallLocations {
    /// The folders to try, in order. `checkoutPath` is relative to the checkout's root, `sharePath`
    /// to `share/zmface`; `environmentVariable` and `currentDirectoryPath` are tried first when given.
    public static func candidates(
        explicit: String?, environmentVariable: String? = nil, currentDirectoryPath: String? = nil,
        checkoutPath: String, sharePath: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        if let explicit { return [explicit] }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        return [
            environmentVariable.flatMap { environment[$0] }, currentDirectoryPath,
            executable.appendingPathComponent("../../../" + checkoutPath).standardizedFileURL.path,
            executable.appendingPathComponent("../share/zmface/" + sharePath).standardizedFileURL.path,
            "/usr/share/zmface/" + sharePath,
        ].compactMap { $0 }
    }

    /// The first candidate folder that holds `file`.
    public static func first(of candidates: [String], containing file: String) -> String? {
        candidates.first {
            FileManager.default.fileExists(atPath: URL(fileURLWithPath: $0).appendingPathComponent(file).path)
        }
    }
}
