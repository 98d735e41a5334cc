internal import CPq
import Foundation

/// Rows of a query result in PostgreSQL's text format.
struct PostgresRows {
    var rows: [[String?]]

    /// The first column of the first row, parsed (nil without a row, for NULL or unparsable text).
    func scalar<T: LosslessStringConvertible>(_: T.Type) -> T? {
        rows.first?.first?.flatMap { T($0) }
    }

    /// The first column of every row, parsed (NULL and unparsable values left out).
    func column<T: LosslessStringConvertible>(_: T.Type) -> [T] {
        rows.compactMap { $0.first?.flatMap { T($0) } }
    }
}

/// One libpq connection. Not Sendable: it lives on the `PostgresClient` thread and nowhere else.
final class PostgresConnection {
    private let handle: OpaquePointer

    /// Connects with a libpq connection string or URL; libpq also reads PGPASSWORD, PGSSLMODE,
    /// ~/.pgpass and the other PG* variables, as its users expect.
    init(conninfo: String) throws(PostgresError) {
        guard let handle = PQconnectdb(conninfo) else { throw .unavailable("out of memory") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.message(PQerrorMessage(handle))
            PQfinish(handle)
            throw .unavailable(message)
        }
        self.handle = handle
        // Results are read as text; keep numbers round-trippable and times unambiguous.
        // client_min_messages: libpq would print NOTICEs such as "relation already exists, skipping"
        // on stderr.
        // A server that refuses these would hand back times in its own zone: fail the connection.
        try execute("SET extra_float_digits = 3; SET TIME ZONE 'UTC'; SET client_min_messages = warning")
    }

    deinit {
        PQfinish(handle)
    }

    var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    /// Runs one statement with text parameters ($1, $2, …; nil is SQL NULL). Without parameters
    /// several statements separated by semicolons may be sent at once.
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresRows {
        let result: OpaquePointer?
        if parameters.isEmpty {
            result = PQexec(handle, sql)
        } else {
            result = Self.withCStrings(parameters) { values in
                PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
        }
        guard let result else { throw failure() }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.rows(of: result)
        default:
            if isBroken { throw .unavailable(Self.message(PQerrorMessage(handle))) }
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "?????"
            let message = Self.message(PQresultErrorMessage(result))
            // 08xxx: connection exceptions; 57P01..57P03: the server is shutting down or starting.
            if state.hasPrefix("08") || state.hasPrefix("57P") { throw .unavailable(message) }
            throw .rejected(sqlState: state, message: message)
        }
    }

    /// Runs `body` inside BEGIN … COMMIT; any error rolls back.
    func transaction<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        try execute("BEGIN")
        do {
            let result = try body(self)
            try execute("COMMIT")
            return result
        } catch {
            if !isBroken { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    private func failure() -> PostgresError {
        let message = Self.message(PQerrorMessage(handle))
        return isBroken ? .unavailable(message) : .rejected(sqlState: "?????", message: message)
    }

    private static func rows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            rows.append(
                (0..<columnCount).map { column in
                    PQgetisnull(result, Int32(row), Int32(column)) == 1
                        ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
                })
        }
        return PostgresRows(rows: rows)
    }

    private static func message(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "unknown error" }
        return String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func withCStrings<R>(
        _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R
    ) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let constants = copies.map { UnsafePointer($0) }
        return constants.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
