public import Foundation

/// CURVE keys on disk, in the certificate format pyzmq's `zmq.auth` and czmq's `zcert` read and
/// write: `NAME.key` holds the public key (hand it out), `NAME.key_secret` both keys (keep it
/// private, mode 0600). A Python client loads them with `zmq.auth.load_certificate(path)`.
public enum CurveCertificate {
    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// The public key of a `.key` (or `.key_secret`) file.
    public static func publicKey(atPath path: String) throws(Error) -> String {
        let fields = try read(path)
        guard let key = fields["public-key"] else { throw Error(path: path, reason: "no public-key line") }
        guard CurveKeyPair.decode(key) != nil else { throw Error(path: path, reason: "public-key is not a Z85 key") }
        return key
    }

    /// The key pair of a `.key_secret` file. A file other users may read is refused, as ssh does,
    /// because anyone holding it can impersonate the server.
    public static func keyPair(atPath path: String) throws(Error) -> CurveKeyPair {
        let fields = try read(path)
        guard let secret = fields["secret-key"] else {
            throw Error(path: path, reason: "no secret-key line (is this the public .key file?)")
        }
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw Error(path: path, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & 0o007 == 0 else {
            throw Error(
                path: path,
                reason:
                    "secret key readable by other users (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it"
            )
        }
        do {
            return try CurveKeyPair(secretKey: secret)
        } catch {
            throw Error(path: path, reason: "secret-key is not a Z85 key")
        }
    }

    /// Writes `directory/name.key` (0644) and `directory/name.key_secret` (0600); refuses to replace
    /// existing files unless `overwrite` (a replaced server key locks every client out).
    @discardableResult
    public static func write(
        _ pair: CurveKeyPair, name: String, directory: String, overwrite: Bool = false, now: Date = Date()
    ) throws(Error) -> (publicPath: String, secretPath: String) {
        let base = URL(fileURLWithPath: directory).appendingPathComponent(name).path
        let (publicPath, secretPath) = (base + ".key", base + ".key_secret")
        if !overwrite {
            for path in [publicPath, secretPath] where FileManager.default.fileExists(atPath: path) {
                throw Error(path: path, reason: "exists; pass --force to replace it")
            }
        }
        let stamp = ISO8601DateFormatter().string(from: now)
        let publicText = """
            #   ****  Generated on \(stamp) by zmface  ****
            #   ZeroMQ CURVE Public Certificate
            #   Exchange securely, or use a secure mechanism to verify the contents
            #   of this file after exchange.

            metadata
            curve
                public-key = "\(pair.publicKey)"

            """
        let secretText = """
            #   ****  Generated on \(stamp) by zmface  ****
            #   ZeroMQ CURVE **Secret** Certificate
            #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

            metadata
            curve
                public-key = "\(pair.publicKey)"
                secret-key = "\(pair.secretKey)"

            """
        try writeFile(secretText, to: secretPath, mode: 0o600)
        try writeFile(publicText, to: publicPath, mode: 0o644)
        return (publicPath, secretPath)
    }

    /// The public keys of every `*.key` file in `directory` (the clients allowed to connect).
    public static func publicKeys(inDirectory directory: String) throws(Error) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw Error(path: directory, reason: "cannot list: \((error as NSError).localizedDescription)")
        }
        var keys: [String] = []
        for name in names.sorted() where name.hasSuffix(".key") {
            keys.append(try publicKey(atPath: URL(fileURLWithPath: directory).appendingPathComponent(name).path))
        }
        return keys
    }

    /// `key = "value"` lines of the certificate, as pyzmq's reader takes them.
    private static func read(_ path: String) throws(Error) -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Error(path: path, reason: "cannot read: \((error as NSError).localizedDescription)")
        }
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(
                in: CharacterSet(charactersIn: " \t\"'"))
            fields[key] = value
        }
        return fields
    }

    private static func writeFile(_ text: String, to path: String, mode: mode_t) throws(Error) {
        // Created with the final mode, so the secret is never readable by others, not even briefly.
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw Error(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count,
            fchmod(fd, mode) == 0
        else {
            throw Error(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
