import Foundation
import ZMFaceCore

/// One recognition thread and the model set only it touches. Jobs arrive one at a time (the pool
/// hands a worker to one caller at a time) and run on the thread, never on Swift's cooperative pool:
/// dlib calls block for tens of milliseconds to seconds.
final class RecognitionWorker: Sendable {
    /// The models, or why they could not be loaded.
    private let thread: DedicatedThread<Result<FaceModelSet, any Error>>

    private init(thread: DedicatedThread<Result<FaceModelSet, any Error>>) {
        self.thread = thread
    }

    /// Starts the thread, loads the models on it and returns once they are loaded.
    static func start(name: String, files: ModelFiles) async throws -> RecognitionWorker {
        let worker = RecognitionWorker(
            thread: DedicatedThread(
                name: name, makeState: { Result { try FaceModelSet(files: files) } }, onExit: releaseFreedMemory))
        do {
            try await worker.thread.perform { models in _ = try models.get() }
        } catch {
            worker.stop()
            throw error
        }
        return worker
    }

    func perform<Result: Sendable>(_ job: @escaping @Sendable (FaceModelSet) throws -> Result) async throws -> Result {
        try await thread.perform { models in try job(models.get()) }
    }

    /// The thread ends after the job in hand; the model set is released there.
    func stop() {
        thread.stop()
    }
}

/// Hands memory freed by a retired worker back to the system. Each thread allocates from its own
/// glibc arena, and a model set's ~100 MiB of tensors would otherwise stay mapped after it is freed.
private func releaseFreedMemory() {
    ProcessMemory.releaseFreedMemory()
}
