import ArgumentParser

@main
struct ZMFaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zmface",
        abstract: "Face detection and recognition server for ZoneMinder.",
        version: ZMFaceVersion.current,
        subcommands: [DetectCommand.self, CompareCommand.self, ServeCommand.self, InfoCommand.self]
    )
}

enum ZMFaceVersion {
    static let current = "0.1.0"
}
