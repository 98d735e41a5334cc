import Foundation

/// A parsed JSON document that keeps booleans and numbers apart (Foundation's JSONSerialization
/// does not, on Linux).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let list = try? container.decode([JSONValue].self) {
            self = .array(list)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }
}

/// Typed reads from a parsed JSON object that name the offending field in every error and reject
/// fields nobody reads (a typo in worker.json must not be silently ignored).
struct JSONFields {
    let path: String
    private let object: [String: JSONValue]
    private var read: Set<String> = []

    init(_ value: JSONValue?, path: String) throws(ConfigurationError) {
        guard case .object(let object) = value else { throw .invalid(path, "must be an object") }
        self.object = object
        self.path = path
    }

    private func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func raw(_ key: String) -> JSONValue? {
        read.insert(key)
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func contains(_ key: String) -> Bool {
        if case .some(let value) = object[key], value != .null { return true }
        return false
    }

    mutating func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigurationError)
        -> Int
    {
        guard let value = raw(key) else { return fallback }
        guard case .number(let number) = value, let integer = Int(exactly: number) else {
            throw .invalid(field(key), "must be an integer")
        }
        guard range.contains(integer) else {
            throw .invalid(field(key), "must be between \(range.lowerBound) and \(range.upperBound), not \(integer)")
        }
        return integer
    }

    mutating func double(_ key: String, default fallback: Double, in range: ClosedRange<Double>)
        throws(ConfigurationError) -> Double
    {
        guard let value = raw(key) else { return fallback }
        guard case .number(let number) = value else { throw .invalid(field(key), "must be a number") }
        guard range.contains(number) else {
            throw .invalid(field(key), "must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    mutating func bool(_ key: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
        guard let value = raw(key) else { return fallback }
        guard case .bool(let flag) = value else { throw .invalid(field(key), "must be true or false") }
        return flag
    }

    mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = raw(key) else { return nil }
        guard case .string(let text) = value else { throw .invalid(field(key), "must be a string") }
        return text
    }

    mutating func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let list) = value else { throw .invalid(field(key), "must be a list of strings") }
        return try list.enumerated().map { (index, element) throws(ConfigurationError) in
            guard case .string(let text) = element else {
                throw .invalid("\(field(key))[\(index)]", "must be a string")
            }
            return text
        }
    }

    mutating func ints(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> [Int]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let list) = value else { throw .invalid(field(key), "must be a list of numbers") }
        return try list.enumerated().map { (index, element) throws(ConfigurationError) -> Int in
            guard case .number(let number) = element, let integer = Int(exactly: number), range.contains(integer) else {
                throw .invalid(
                    "\(field(key))[\(index)]", "must be a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return integer
        }
    }

    mutating func object(_ key: String) throws(ConfigurationError) -> JSONFields? {
        guard let value = raw(key) else { return nil }
        return try JSONFields(value, path: field(key))
    }

    /// Call after reading every known field.
    func rejectUnknownFields() throws(ConfigurationError) {
        if let unknown = object.keys.filter({ !read.contains($0) }).sorted().first {
            throw .invalid(field(unknown), "is not a known setting")
        }
    }
}

/// A configuration problem, naming the field (dotted path) and what is wrong with it.
enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(String, String)

    var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read configuration \(path): \(reason)"
        case .invalid(let field, let problem): "configuration field '\(field)' \(problem)"
        }
    }
}
