import MessagePack

/// JSON text as Python's `json.dumps` writes it (the original returned `json.dumps(objects)`):
/// `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`, keys in their given order. Clients
/// parse it, so byte equality is not required, but matching it keeps diffs against the original
/// quiet.
enum PythonJSON {
    static func serialize(_ value: MessagePackValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    private static func write(_ value: MessagePackValue, to out: inout String) {
        switch value {
        case .nil: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .uint(let number): out += String(number)
        case .float(let number): writeNumber(Double(number), to: &out)
        case .double(let number): writeNumber(number, to: &out)
        case .string(let text): writeString(text, to: &out)
        case .binary(let bytes): writeString(String(decoding: bytes, as: UTF8.self), to: &out)
        case .ext: out += "null"
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += ", " }
                write(element, to: &out)
            }
            out += "]"
        case .map(let pairs):
            out += "{"
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out += ", " }
                writeString(keyText(pair.key), to: &out)
                out += ": "
                write(pair.value, to: &out)
            }
            out += "}"
        }
    }

    /// Python turns non-string keys into strings (1 → "1", None → "null", True → "true").
    private static func keyText(_ key: MessagePackValue) -> String {
        switch key {
        case .string(let text): text
        case .binary(let bytes): String(decoding: bytes, as: UTF8.self)
        case .nil: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .uint(let number): String(number)
        case .float(let number): numberText(Double(number)) ?? "null"
        case .double(let number): numberText(number) ?? "null"
        default: serialize(key)
        }
    }

    /// Python writes NaN and Infinity, which JavaScript's JSON.parse rejects; null is what a client can
    /// read.
    private static func writeNumber(_ number: Double, to out: inout String) {
        out += numberText(number) ?? "null"
    }

    /// Python's float repr: shortest round-trip digits, "1e-05" / "1e+16" beyond its fixed range,
    /// and ".0" on integral values (Swift's description follows the same rules).
    private static func numberText(_ number: Double) -> String? {
        number.isFinite ? number.description : nil
    }

    private static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(unit)!)
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        out += "\""
    }
}
