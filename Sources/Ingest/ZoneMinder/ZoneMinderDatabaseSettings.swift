import Foundation

/// Where ZoneMinder's database is, in ZoneMinder's own terms (`zm.conf`'s ZM_DB_* variables).
public struct ZoneMinderDatabaseSettings: Sendable, Equatable {
    public var host: String?
    public var port: Int?
    public var socket: String?
    public var database: String
    public var user: String
    public var password: String?

    public init(
        host: String? = "localhost", port: Int? = nil, socket: String? = nil, database: String = "zm",
        user: String = "zmuser", password: String? = nil
    ) {
        self.host = host
        self.port = port
        self.socket = socket
        self.database = database
        self.user = user
        self.password = password
    }

    /// Reads `ZM_DB_HOST` the way zm_db.cpp does: `host`, `host:port` or `localhost:/path/to.sock`.
    public init(zmDBHost: String, database: String, user: String, password: String?) throws(ZoneMinderConfigError) {
        self.init(database: database, user: user, password: password)
        let value = zmDBHost.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw .invalid("ZM_DB_HOST is empty") }
        if let colon = value.firstIndex(of: ":") {
            let name = String(value[..<colon])
            let rest = String(value[value.index(after: colon)...])
            host = name.isEmpty ? "localhost" : name
            if rest.hasPrefix("/") {
                socket = rest
            } else if let number = Int(rest), (1...65535).contains(number) {
                port = number
            } else {
                throw .invalid("ZM_DB_HOST '\(zmDBHost)': after ':' expected a port or a socket path")
            }
        } else {
            host = value
        }
    }

    /// Reads `zm.conf` and then every `*.conf` in its `conf.d` folder, in name order (later files
    /// win), as ZoneMinder does.
    public static func fromZMConf(_ path: String) throws(ZoneMinderConfigError) -> ZoneMinderDatabaseSettings {
        var values: [String: String] = [:]
        let main = URL(fileURLWithPath: path)
        var files = [main]
        let confD = main.deletingLastPathComponent().appendingPathComponent("conf.d")
        if let names = try? FileManager.default.contentsOfDirectory(atPath: confD.path) {
            files += names.filter { $0.hasSuffix(".conf") }.sorted().map { confD.appendingPathComponent($0) }
        }
        for (index, file) in files.enumerated() {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                if index == 0 { throw .invalid("cannot read \(file.path)") }
                continue
            }
            for (key, value) in ZMConfParser.assignments(in: text) { values[key] = value }
        }
        return try ZoneMinderDatabaseSettings(
            zmDBHost: values["ZM_DB_HOST"] ?? "localhost", database: values["ZM_DB_NAME"] ?? "zm",
            user: values["ZM_DB_USER"] ?? "zmuser", password: values["ZM_DB_PASS"])
    }
}

public enum ZoneMinderConfigError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let message): message
        }
    }
}

/// `KEY=value` lines as zm.conf writes them; `#` comments, optional quotes.
enum ZMConfParser {
    static func assignments(in text: String) -> [(String, String)] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { return nil }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            return key.isEmpty ? nil : (key, value)
        }
    }
}
