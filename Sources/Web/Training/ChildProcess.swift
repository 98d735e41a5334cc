import Foundation
import Synchronization

/// A command run as a child process (the train job's `zmface encode`, `train`, `backfill`), its
/// stdout and stderr read together line by line (`\r` also ends a line: progress bars redraw so).
final class ChildProcess: Sendable {
    let executable: String
    let arguments: [String]

    /// The pid of the child while it runs, so `terminate` can reach it from elsewhere.
    private let running = Mutex<Int32?>(nil)

    init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// Runs to the end; `onLine` gets every output line as it comes. Returns the exit status.
    func run(onLine: @escaping @Sendable (String) -> Void) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let splitter = LineSplitter(onLine: onLine)
        pipe.fileHandleForReading.readabilityHandler = { handle in splitter.add(handle.availableData) }
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { [self] process in
                pipe.fileHandleForReading.readabilityHandler = nil
                splitter.add((try? pipe.fileHandleForReading.readToEnd()) ?? Data())
                splitter.finish()
                self.running.withLock { $0 = nil }
                continuation.resume(returning: process.terminationStatus)
            }
            do {
                try process.run()
                running.withLock { $0 = process.processIdentifier }
            } catch {
                pipe.fileHandleForReading.readabilityHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }

    /// SIGTERM to the child, if it is running.
    func terminate() {
        if let pid = running.withLock({ $0 }) { kill(pid, SIGTERM) }
    }

    /// Bytes in, complete lines out (UTF-8, invalid bytes replaced).
    private final class LineSplitter: Sendable {
        private let pending = Mutex<[UInt8]>([])
        private let onLine: @Sendable (String) -> Void

        init(onLine: @escaping @Sendable (String) -> Void) {
            self.onLine = onLine
        }

        func add(_ data: Data) {
            guard !data.isEmpty else { return }
            let lines = pending.withLock { buffer -> [String] in
                buffer.append(contentsOf: data)
                var lines: [String] = []
                while let end = buffer.firstIndex(where: { $0 == 10 || $0 == 13 }) {
                    lines.append(String(decoding: buffer[..<end], as: UTF8.self))
                    buffer.removeSubrange(...end)
                }
                return lines
            }
            for line in lines where !line.isEmpty { onLine(line) }
        }

        func finish() {
            let rest = pending.withLock { buffer -> String in
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            if !rest.isEmpty { onLine(rest) }
        }
    }
}
