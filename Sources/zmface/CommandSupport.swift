import ArgumentParser
import Foundation

/// An error whose text is already the whole message for the user.
enum CommandError: Error, CustomStringConvertible {
    case message(String)

    var description: String {
        switch self {
        case .message(let text): text
        }
    }

    /// One line on stderr, `zmface: error: …`, whatever the error type.
    static func report(_ error: any Error) {
        let text = String(describing: error).replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("zmface: error: \(text)\n".utf8))
    }

    /// Runs `body`; an error from it is reported (one line) and ends the command with exit code 1.
    /// An `ExitCode` passes through: it was reported where it was thrown.
    static func reportingFailure<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            report(error)
            throw ExitCode.failure
        }
    }

    /// `reportingFailure` for async work.
    static func reportingFailure<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            report(error)
            throw ExitCode.failure
        }
    }
}

/// Writes values as JSON Lines on stdout, with stable key order so output can be diffed.
enum JSONLines {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func write(_ value: some Encodable) throws {
        var data = try encoder.encode(value)
        data.append(0x0A)
        FileHandle.standardOutput.write(data)
    }
}
