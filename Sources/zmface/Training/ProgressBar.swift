import Foundation

/// Progress of a long job on stderr: a redrawn bar on a terminal, a line every few seconds
/// otherwise (logs, CI), each with the rate and an ETA.
final class ProgressBar: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is touched only while `lock` is held.
    private let lock = NSLock()
    private let total: Int
    private let label: String
    private let start = Date()
    private var done = 0
    private var lastPrint = Date.distantPast
    private let isTerminal = isatty(STDERR_FILENO) == 1

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    func advance() {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        let now = Date()
        guard done == total || now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.2 : 5) else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let filled = total > 0 ? done * 30 / total : 30
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
        let text = String(format: "%@ [%@] %d/%d  %.1f/s  ETA %ds", label, bar, done, total, rate, Int(eta))
        FileHandle.standardError.write(Data((isTerminal ? "\r" + text : text + "\n").utf8))
        if isTerminal && done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
