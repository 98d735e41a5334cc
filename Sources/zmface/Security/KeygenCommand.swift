import ArgumentParser
import Foundation
import ZeroMQ

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a ZeroMQ CURVE key pair for the PUB socket and tcp zerorpc endpoints.",
        discussion: """
            Writes DIR/NAME.key (the public key: give it to whoever connects, or, for a client, put it \
            in the server's curve.clientKeys directory) and DIR/NAME.key_secret (both keys, mode 0600: \
            worker.json curve.secretKey for a server, --client-key for a client). The format is the \
            one pyzmq's zmq.auth.load_certificate and czmq read.

            Examples:
              zmface keygen server --directory /etc/zmface/curve
              zmface keygen uploader --directory ./keys
            """
    )

    @Argument(help: "Name of the key pair (file names NAME.key and NAME.key_secret).")
    var name: String

    @Option(help: "Directory to write into (created if missing).")
    var directory = "."

    @Flag(help: "Replace existing files (every peer holding the old public key is locked out).")
    var force = false

    func validate() throws {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw ValidationError("name must be a plain file name, not \"\(name)\"")
        }
    }

    func run() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let pair = try CurveKeyPair.generate()
            let paths = try CurveCertificate.write(pair, name: name, directory: directory, overwrite: force)
            print("public key  \(pair.publicKey)")
            print("public      \(paths.publicPath)")
            print("secret      \(paths.secretPath) (mode 0600)")
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }
}
