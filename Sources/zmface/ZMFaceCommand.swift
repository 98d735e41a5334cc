import ArgumentParser
import Foundation
import Workers
import ZMFaceCore

@main
struct ZMFaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zmface",
        abstract: "Face detection and recognition server for ZoneMinder.",
        version: Workers.ZMFaceVersion.current,
        subcommands: [
            DetectCommand.self, CompareCommand.self, ServeCommand.self, EncodeCommand.self, TrainCommand.self,
            EvaluateCommand.self, CalibrateCommand.self, DatasetCommand.self, TuneCommand.self, InfoCommand.self,
            IngestCommand.self, BackfillCommand.self, DatabaseCommand.self, SubscribeCommand.self, KeygenCommand.self,
            ClusterCommand.self,
        ]
    )

    /// ArgumentParser's own `main`, but the process ends with `_exit` once the command is done and
    /// the native threads it stopped have ended (`EndingThreads.waitForAll`). A plain `exit()` runs
    /// atexit handlers and C++ static destructors (OpenSSL's cleanup, dlib's, the Swift runtime's
    /// own), and any thread still running then works on freed state: seen, about once in a few
    /// hundred runs, as a SIGSEGV in `pthread_rwlock_rdlock(NULL)` or heap corruption at the very end
    /// of an otherwise finished `db migrate` or `ingest --once`. Everything the command wrote is
    /// committed or closed by then; stdio is flushed first.
    static func main() async {
        let code: Int32
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            code = ExitCode.success.rawValue
        } catch {
            // What `exit(withError:)` prints: help and version on stdout, errors on stderr.
            let message = fullMessage(for: error)
            let exitCode = exitCode(for: error)
            if !message.isEmpty {
                if exitCode == .success {
                    print(message)
                } else {
                    FileHandle.standardError.write(Data((message + "\n").utf8))
                }
            }
            code = exitCode.rawValue
        }
        // Bounded: a worker in the middle of a long dlib call is not waited for past the timeout.
        _ = await EndingThreads.waitForAll(timeout: .seconds(10))
        fflush(nil)
        _exit(code)
    }
}
