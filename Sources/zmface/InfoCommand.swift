import ArgumentParser
import Workers

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print versions of zmface and its native libraries, and where the models are."
    )

    @Option(help: "Directory holding the dlib model files.")
    var models: String?

    func run() throws {
        print("zmface \(ZMFaceVersion.current)")
        print("dlib \(NativeRuntime.dlibVersion)")
        print("BLAS \(NativeRuntime.blasDescription)")
        print("HOG detector \(NativeRuntime.hogKernel)")
        do {
            print("models \(try ModelFiles.locate(explicit: models).directory.path)")
        } catch {
            print("models not found: \(error)")
        }
    }
}
