import ServiceLifecycle
import Workers
import ZMFaceCore

/// Every `interval`, hands the heap's free pages back to the system (see
/// `ProcessMemory.releaseFreedMemory`). Measured with Tests/soak/memory.sh: without it RSS crept
/// up by about half a KiB per frame ingested although the heap in use stayed flat (heaptrack),
/// which is glibc's per-thread arenas keeping the holes that frames of varying sizes leave.
struct MemoryTrimService: Service {
    var interval: Duration = .seconds(30)

    func run() async throws {
        let thread = DedicatedThread(name: "memory-trim") { () }
        defer { thread.stop() }
        try await repeatUntilShutdown(every: interval) {
            try await thread.perform { _ in ProcessMemory.releaseFreedMemory() }
        }
    }
}
