/// Writes MessagePack in its smallest form for each value, as msgpack-python and msgpack-lite do.
public struct MessagePackEncoder: Sendable {
    public init() {}

    public func encode(_ value: MessagePackValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        Self.append(value, to: &out)
        return out
    }

    /// Appends one value to `out`.
    public static func append(_ value: MessagePackValue, to out: inout [UInt8]) {
        switch value {
        case .nil: out.append(0xc0)
        case .bool(let flag): out.append(flag ? 0xc3 : 0xc2)
        case .int(let number): appendInteger(number, to: &out)
        case .uint(let number):
            if number <= UInt64(Int64.max) {
                appendInteger(Int64(number), to: &out)
            } else {
                out.append(0xcf)
                appendBigEndian(number, width: 8, to: &out)
            }
        case .float(let number):
            out.append(0xca)
            appendBigEndian(UInt64(number.bitPattern), width: 4, to: &out)
        case .double(let number):
            out.append(0xcb)
            appendBigEndian(number.bitPattern, width: 8, to: &out)
        case .string(let text):
            let utf8 = Array(text.utf8)
            appendHeader(count: utf8.count, fix: (0xa0, 31), widths: (0xd9, 0xda, 0xdb), to: &out)
            out += utf8
        case .binary(let bytes):
            appendHeader(count: bytes.count, fix: nil, widths: (0xc4, 0xc5, 0xc6), to: &out)
            out += bytes
        case .array(let values):
            appendHeader(count: values.count, fix: (0x90, 15), widths: (nil, 0xdc, 0xdd), to: &out)
            for element in values { append(element, to: &out) }
        case .map(let pairs):
            appendHeader(count: pairs.count, fix: (0x80, 15), widths: (nil, 0xde, 0xdf), to: &out)
            for pair in pairs {
                append(pair.key, to: &out)
                append(pair.value, to: &out)
            }
        case .ext(let type, let data):
            switch data.count {
            case 1: out.append(0xd4)
            case 2: out.append(0xd5)
            case 4: out.append(0xd6)
            case 8: out.append(0xd7)
            case 16: out.append(0xd8)
            default: appendHeader(count: data.count, fix: nil, widths: (0xc7, 0xc8, 0xc9), to: &out)
            }
            out.append(UInt8(bitPattern: type))
            out += data
        }
    }

    private static func appendInteger(_ number: Int64, to out: inout [UInt8]) {
        switch number {
        case 0...0x7f: out.append(UInt8(number))
        case -32..<0: out.append(UInt8(bitPattern: Int8(number)))
        case 0x80...0xff: out += [0xcc, UInt8(number)]
        case 0x100...0xffff:
            out.append(0xcd)
            appendBigEndian(UInt64(number), width: 2, to: &out)
        case 0x1_0000...0xffff_ffff:
            out.append(0xce)
            appendBigEndian(UInt64(number), width: 4, to: &out)
        case Int64(Int8.min) ..< -32:
            out += [0xd0, UInt8(bitPattern: Int8(number))]
        case Int64(Int16.min)..<Int64(Int8.min):
            out.append(0xd1)
            appendBigEndian(UInt64(UInt16(bitPattern: Int16(number))), width: 2, to: &out)
        case Int64(Int32.min)..<Int64(Int16.min):
            out.append(0xd2)
            appendBigEndian(UInt64(UInt32(bitPattern: Int32(number))), width: 4, to: &out)
        case ..<0:
            out.append(0xd3)
            appendBigEndian(UInt64(bitPattern: number), width: 8, to: &out)
        default:
            out.append(0xcf)
            appendBigEndian(UInt64(number), width: 8, to: &out)
        }
    }

    private static func appendHeader(
        count: Int, fix: (base: UInt8, max: Int)?, widths: (UInt8?, UInt8, UInt8), to out: inout [UInt8]
    ) {
        if let fix, count <= fix.max {
            out.append(fix.base | UInt8(count))
        } else if let one = widths.0, count <= 0xff {
            out += [one, UInt8(count)]
        } else if count <= 0xffff {
            out.append(widths.1)
            appendBigEndian(UInt64(count), width: 2, to: &out)
        } else {
            out.append(widths.2)
            appendBigEndian(UInt64(count), width: 4, to: &out)
        }
    }

    private static func appendBigEndian(_ value: UInt64, width: Int, to out: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
