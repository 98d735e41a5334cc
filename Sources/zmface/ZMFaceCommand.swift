import ArgumentParser
import Workers

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
}
