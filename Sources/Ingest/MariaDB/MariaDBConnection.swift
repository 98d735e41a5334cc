internal import CMariaDB
import Foundation

/// One libmariadb connection. Not Sendable: it lives on the `ZoneMinderCatalog` thread only.
final class MariaDBConnection {
    private let handle: UnsafeMutablePointer<MYSQL>

    init(_ settings: ZoneMinderDatabaseSettings) throws(MariaDBError) {
        guard let handle = mysql_init(nil) else { throw .unavailable("out of memory") }
        var connectTimeout: UInt32 = 10
        var readTimeout: UInt32 = 30
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        let connected = mysql_real_connect(
            handle, settings.host, settings.user, settings.password, settings.database, UInt32(settings.port ?? 0),
            settings.socket, 0)
        guard connected != nil else {
            let error = Self.error(of: handle)
            mysql_close(handle)
            // Wrong password or unknown database is not an outage, but waiting for an operator to
            // fix it is still the right thing for ingestion: report it as unavailable, with the text.
            // Callers for whom it is not (the optional Notes write-back) tell it by `isLoginRefused`.
            if Self.loginRefusals.contains(error.code) { throw .loginRefused(code: error.code, message: error.message) }
            throw .unavailable(error.message)
        }
        self.handle = handle
        mysql_set_character_set(handle, "utf8mb4")
    }

    deinit {
        mysql_close(handle)
    }

    /// `text` as a string literal, escaped by the client library for the connection's character set.
    func quoted(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var escaped = [CChar](repeating: 0, count: bytes.count * 2 + 1)
        let length = bytes.withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) {
                mysql_real_escape_string(handle, &escaped, $0.baseAddress, UInt(bytes.count))
            }
        }
        return "'" + String(decoding: escaped.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self) + "'"
    }

    /// Rows as text (NULL is nil). Only for statements built from numbers and escaped text.
    func query(_ sql: String) throws(MariaDBError) -> [[String?]] {
        let bytes = Array(sql.utf8)
        guard mysql_real_query(handle, bytes, UInt(bytes.count)) == 0 else { throw failure() }
        guard let result = mysql_store_result(handle) else {
            if mysql_field_count(handle) == 0 { return [] }
            throw failure()
        }
        defer { mysql_free_result(result) }
        let columns = Int(mysql_num_fields(result))
        var rows: [[String?]] = []
        while let row = mysql_fetch_row(result) {
            let lengths = mysql_fetch_lengths(result)!
            rows.append(
                (0..<columns).map { column in
                    guard let field = row[column] else { return nil }
                    return field.withMemoryRebound(to: UInt8.self, capacity: Int(lengths[column])) {
                        String(decoding: UnsafeBufferPointer(start: $0, count: Int(lengths[column])), as: UTF8.self)
                    }
                })
        }
        return rows
    }

    /// 1044: no access to the database; 1045: wrong user or password; 1049: unknown database;
    /// 1698: user may not log in this way.
    private static let loginRefusals: Set<UInt32> = [1044, 1045, 1049, 1698]

    private func failure() -> MariaDBError {
        let error = Self.error(of: handle)
        // 2002/2003: cannot connect; 2006: server gone; 2013: lost during query; 1927: killed; 1053: shutdown.
        if [2002, 2003, 2006, 2013, 1927, 1053].contains(error.code) { return .unavailable(error.message) }
        return .rejected(code: error.code, message: error.message)
    }

    private static func error(of handle: UnsafeMutablePointer<MYSQL>) -> (code: UInt32, message: String) {
        (mysql_errno(handle), String(cString: mysql_error(handle)))
    }
}
