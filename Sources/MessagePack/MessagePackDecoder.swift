/// A strict MessagePack decoder for untrusted input. Every length prefix is checked against the
/// bytes actually left before anything is allocated, so a hostile 4 GiB length costs nothing;
/// nesting depth and total element count are bounded.
public struct MessagePackDecoder: Sendable {
    public var maxDepth: Int
    public var maxElements: Int

    public init(maxDepth: Int = 64, maxElements: Int = 1_000_000) {
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }

    /// Decodes exactly one value spanning all of `bytes`.
    public func decode(_ bytes: [UInt8]) throws(MessagePackError) -> MessagePackValue {
        try bytes.withUnsafeBufferPointer { buffer throws(MessagePackError) in
            var reader = Reader(bytes: buffer, maxDepth: maxDepth, maxElements: maxElements)
            let value = try reader.value(depth: 0)
            guard reader.offset == buffer.count else { throw .trailingBytes(offset: reader.offset) }
            return value
        }
    }
}

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    let maxElements: Int
    var offset = 0
    var elements = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, maxElements: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }

    var remaining: Int { bytes.count - offset }

    mutating func byte() throws(MessagePackError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bigEndian(_ width: Int) throws(MessagePackError) -> UInt64 {
        guard remaining >= width else { throw .truncated(offset: offset) }
        var value: UInt64 = 0
        for index in 0..<width { value = value << 8 | UInt64(bytes[offset + index]) }
        offset += width
        return value
    }

    mutating func take(_ count: Int) throws(MessagePackError) -> UnsafeBufferPointer<UInt8> {
        guard count <= remaining else { throw .lengthExceedsInput(length: count, offset: offset) }
        defer { offset += count }
        return UnsafeBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    /// Each element needs at least one byte, so a count above the bytes left is a lie.
    mutating func checkedCount(_ count: UInt64, bytesPerElement: Int) throws(MessagePackError) -> Int {
        guard count <= UInt64(remaining / bytesPerElement) else {
            throw .lengthExceedsInput(length: Int(clamping: count), offset: offset)
        }
        elements += Int(count)
        guard elements <= maxElements else { throw .tooManyElements(limit: maxElements) }
        return Int(count)
    }

    mutating func string(_ length: Int) throws(MessagePackError) -> MessagePackValue {
        let start = offset
        let raw = try take(length)
        guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(offset: start) }
        return .string(text)
    }

    mutating func value(depth: Int) throws(MessagePackError) -> MessagePackValue {
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth) }
        let start = offset
        let type = try byte()
        switch type {
        case 0x00...0x7f: return .int(Int64(type))
        case 0x80...0x8f: return try map(count: UInt64(type & 0x0f), depth: depth)
        case 0x90...0x9f: return try array(count: UInt64(type & 0x0f), depth: depth)
        case 0xa0...0xbf: return try string(Int(type & 0x1f))
        case 0xc0: return .nil
        case 0xc1: throw .reservedByte(offset: start)
        case 0xc2: return .bool(false)
        case 0xc3: return .bool(true)
        case 0xc4: return .binary(Array(try take(Int(bigEndian(1)))))
        case 0xc5: return .binary(Array(try take(Int(bigEndian(2)))))
        case 0xc6: return .binary(Array(try take(Int(bigEndian(4)))))
        case 0xc7: return try ext(length: Int(bigEndian(1)))
        case 0xc8: return try ext(length: Int(bigEndian(2)))
        case 0xc9: return try ext(length: Int(bigEndian(4)))
        case 0xca: return .float(Float(bitPattern: UInt32(try bigEndian(4))))
        case 0xcb: return .double(Double(bitPattern: try bigEndian(8)))
        case 0xcc: return .int(Int64(try bigEndian(1)))
        case 0xcd: return .int(Int64(try bigEndian(2)))
        case 0xce: return .int(Int64(try bigEndian(4)))
        case 0xcf:
            let value = try bigEndian(8)
            return value <= UInt64(Int64.max) ? .int(Int64(value)) : .uint(value)
        case 0xd0: return .int(Int64(Int8(truncatingIfNeeded: try bigEndian(1))))
        case 0xd1: return .int(Int64(Int16(truncatingIfNeeded: try bigEndian(2))))
        case 0xd2: return .int(Int64(Int32(truncatingIfNeeded: try bigEndian(4))))
        case 0xd3: return .int(Int64(bitPattern: try bigEndian(8)))
        case 0xd4: return try ext(length: 1)
        case 0xd5: return try ext(length: 2)
        case 0xd6: return try ext(length: 4)
        case 0xd7: return try ext(length: 8)
        case 0xd8: return try ext(length: 16)
        case 0xd9: return try string(Int(bigEndian(1)))
        case 0xda: return try string(Int(bigEndian(2)))
        case 0xdb: return try string(Int(bigEndian(4)))
        case 0xdc: return try array(count: bigEndian(2), depth: depth)
        case 0xdd: return try array(count: bigEndian(4), depth: depth)
        case 0xde: return try map(count: bigEndian(2), depth: depth)
        case 0xdf: return try map(count: bigEndian(4), depth: depth)
        default: return .int(Int64(Int8(bitPattern: type)))  // 0xe0...0xff: negative fixint
        }
    }

    mutating func ext(length: Int) throws(MessagePackError) -> MessagePackValue {
        let type = Int8(bitPattern: try byte())
        return .ext(type: type, data: Array(try take(length)))
    }

    mutating func array(count: UInt64, depth: Int) throws(MessagePackError) -> MessagePackValue {
        let count = try checkedCount(count, bytesPerElement: 1)
        var values: [MessagePackValue] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try value(depth: depth + 1)) }
        return .array(values)
    }

    mutating func map(count: UInt64, depth: Int) throws(MessagePackError) -> MessagePackValue {
        let count = try checkedCount(count, bytesPerElement: 2)
        var pairs: [(key: MessagePackValue, value: MessagePackValue)] = []
        pairs.reserveCapacity(count)
        for _ in 0..<count {
            let key = try value(depth: depth + 1)
            pairs.append((key, try value(depth: depth + 1)))
        }
        return .map(pairs)
    }
}
