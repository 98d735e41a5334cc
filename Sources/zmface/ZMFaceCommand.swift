import ArgumentParser
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

    /// ArgumentParser's own `main`, plus a wait for the native threads the command stopped:
    /// the process must not exit while one of them is still releasing dlib or TLS state
    /// (`EndingThreads.waitForAll`).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            await finishNativeThreads()
        } catch {
            await finishNativeThreads()
            exit(withError: error)
        }
    }

    /// Bounded: a worker in the middle of a long dlib call is not waited for past the timeout.
    private static func finishNativeThreads() async {
        _ = await EndingThreads.waitForAll(timeout: .seconds(10))
    }
}
