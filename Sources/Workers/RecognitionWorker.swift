internal import CDlib
import Foundation
import Synchronization

/// One recognition thread and the model set only it touches. Jobs arrive one at a time (the pool
/// hands a worker to one caller at a time) and run on the thread, never on Swift's cooperative pool:
/// dlib calls block for tens of milliseconds to seconds.
final class RecognitionWorker: Sendable {
    typealias Job = @Sendable (FaceModelSet) -> Void

    private enum Command {
        case run(Job)
        case stop
    }

    private let commands = Mutex<[Command]>([])
    private let signal = DispatchSemaphore(value: 0)

    private init() {}

    /// Starts the thread, loads the models on it and returns once they are loaded.
    static func start(name: String, files: ModelFiles) async throws -> RecognitionWorker {
        let worker = RecognitionWorker()
        try await withCheckedThrowingContinuation { (loaded: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                do {
                    // The model set lives in this scope only, so it is freed before the trim below.
                    let models: FaceModelSet
                    do {
                        models = try FaceModelSet(files: files)
                    } catch {
                        loaded.resume(throwing: error)
                        return
                    }
                    loaded.resume()
                    worker.serve(models)
                }
                releaseFreedMemory()
            }
            thread.name = name
            thread.start()
        }
        return worker
    }

    /// Runs jobs until stopped; the model set is released when this returns.
    private func serve(_ models: FaceModelSet) {
        while true {
            signal.wait()
            switch commands.withLock({ $0.removeFirst() }) {
            case .run(let job): job(models)
            case .stop: return
            }
        }
    }

    func perform<Result: Sendable>(_ job: @escaping @Sendable (FaceModelSet) throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.run { models in continuation.resume(with: Swift.Result { try job(models) }) })
        }
    }

    func stop() {
        enqueue(.stop)
    }

    /// One semaphore signal per command, so the thread never takes from an empty queue.
    private func enqueue(_ command: Command) {
        commands.withLock { $0.append(command) }
        signal.signal()
    }
}

/// Hands memory freed by a retired worker back to the system. Each thread allocates from its own
/// glibc arena, and a model set's ~100 MiB of tensors would otherwise stay mapped after it is freed.
private func releaseFreedMemory() {
    zmf_release_free_memory()
}
