import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM, SIGINT and SIGHUP delivered reliably, whichever thread the kernel picks.
///
/// Dispatch signal sources (what swift-service-lifecycle's `UnixSignalsSequence` uses) read a
/// signalfd on Linux, which only sees a signal that every thread blocks, and zmface has threads it
/// did not start (OpenBLAS starts its own while the library loads, before `main`, blocking
/// nothing). With them, SIGTERM sometimes never reached the service group and the server did not
/// stop (seen in the demo). Here a plain `sigaction` handler, which runs on whatever thread
/// receives the signal, writes the signal number to a pipe; one thread reads the pipe and feeds an
/// `AsyncStream`. Nothing else in the process may trap these signals.
enum ProcessSignals {
    /// Starts watching `signals` (once per process) and returns their stream.
    static func watch(_ signals: [Int32]) -> AsyncStream<Int32> {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { fatalError("pipe failed: \(errno)") }
        let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
        // Not inherited by the processes zmface starts.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        // Non-blocking writes: a handler must never block (a full pipe only loses repeats).
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        signalPipeWriteEnd = writeEnd
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let reader = Thread {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 {
                    continuation.yield(Int32(byte))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            continuation.finish()
        }
        reader.name = "signals"
        reader.start()
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
        }
        return stream
    }
}

/// Set once in `watch` before any handler is installed, then only read (by the handler), so no
/// two threads ever race on it. A C signal handler cannot capture context, hence a global.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The handler: only `write(2)`, which is async-signal-safe.
private func forwardSignal(_ signal: Int32) {
    var byte = UInt8(truncatingIfNeeded: signal)
    let savedErrno = errno
    _ = write(signalPipeWriteEnd, &byte, 1)
    errno = savedErrno
}
