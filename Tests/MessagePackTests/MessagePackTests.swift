import MessagePack
import Testing

/// The codec must read everything zerorpc peers (msgpack-python, msgpack-lite) write, write what they
/// read, and refuse hostile input cheaply.
@Suite struct MessagePackTests {
    let decoder = MessagePackDecoder()
    let encoder = MessagePackEncoder()

    func hex(_ text: String) -> [UInt8] {
        let digits = text.filter { !$0.isWhitespace }
        return stride(from: 0, to: digits.count, by: 2).map {
            let start = digits.index(digits.startIndex, offsetBy: $0)
            return UInt8(digits[start..<digits.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    @Test("Every width of every family decodes, and encodes back to the smallest form")
    func widths() throws {
        let cases: [(String, MessagePackValue)] = [
            ("c0", .nil), ("c2", .bool(false)), ("c3", .bool(true)),
            ("00", .int(0)), ("7f", .int(127)), ("ff", .int(-1)), ("e0", .int(-32)),
            ("cc80", .int(128)), ("ccff", .int(255)), ("cd0100", .int(256)), ("cdffff", .int(65535)),
            ("ce00010000", .int(65536)), ("ceffffffff", .int(4_294_967_295)),
            ("cf0000000100000000", .int(4_294_967_296)), ("cfffffffffffffffff", .uint(UInt64.max)),
            ("d0df", .int(-33)), ("d080", .int(-128)), ("d1ff7f", .int(-129)), ("d18000", .int(-32768)),
            ("d2ffff7fff", .int(-32769)), ("d280000000", .int(Int64(Int32.min))),
            ("d3ffffffff7fffffff", .int(Int64(Int32.min) - 1)), ("d38000000000000000", .int(Int64.min)),
            ("ca3fc00000", .float(1.5)), ("cb3ff8000000000000", .double(1.5)),
            ("a3616263", .string("abc")), ("a0", .string("")),
            ("c403010203", .binary([1, 2, 3])),
            ("92012a", .array([.int(1), .int(42)])),
            ("81a16b01", .map([(.string("k"), .int(1))])),
            ("d40107", .ext(type: 1, data: [7])),
            ("c70305616263", .ext(type: 5, data: [0x61, 0x62, 0x63])),
        ]
        for (bytes, value) in cases {
            #expect(try decoder.decode(hex(bytes)) == value, "decode \(bytes)")
            #expect(encoder.encode(value) == hex(bytes), "encode \(value)")
        }
    }

    @Test("Non-minimal widths that other encoders may send still decode")
    func nonMinimalWidths() throws {
        #expect(try decoder.decode(hex("d903616263")) == .string("abc"))  // str8 for a short string
        #expect(try decoder.decode(hex("da0003616263")) == .string("abc"))
        #expect(try decoder.decode(hex("db00000003616263")) == .string("abc"))
        #expect(try decoder.decode(hex("c5000101")) == .binary([1]))
        #expect(try decoder.decode(hex("c60000000101")) == .binary([1]))
        #expect(try decoder.decode(hex("dc000101")) == .array([.int(1)]))
        #expect(try decoder.decode(hex("dd0000000101")) == .array([.int(1)]))
        #expect(try decoder.decode(hex("de0001a16b01")) == .map([(.string("k"), .int(1))]))
        #expect(try decoder.decode(hex("df00000001a16b01")) == .map([(.string("k"), .int(1))]))
        #expect(try decoder.decode(hex("cc05")) == .int(5))
        #expect(try decoder.decode(hex("d000")) == .int(0))
    }

    @Test("Long strings, binaries, arrays and maps switch to 16- and 32-bit headers at the right sizes")
    func headerBoundaries() throws {
        for count in [31, 32, 255, 256, 65535, 65536] {
            let text = String(repeating: "x", count: count)
            let encoded = encoder.encode(.string(text))
            #expect(try decoder.decode(encoded) == .string(text))
            let expectedHeader: UInt8 =
                count <= 31 ? 0xa0 | UInt8(count) : count <= 255 ? 0xd9 : count <= 65535 ? 0xda : 0xdb
            #expect(encoded[0] == expectedHeader, "string of \(count)")
        }
        for count in [15, 16, 65535, 65536] {
            let array = MessagePackValue.array(Array(repeating: .nil, count: count))
            let encoded = encoder.encode(array)
            #expect(encoded[0] == (count <= 15 ? 0x90 | UInt8(count) : count <= 65535 ? 0xdc : 0xdd))
            #expect(try decoder.decode(encoded) == array)
        }
        let bytes = [UInt8](repeating: 7, count: 70000)
        #expect(try decoder.decode(encoder.encode(.binary(bytes))) == .binary(bytes))
    }

    @Test("The zerorpc request captured from zerorpc-python 0.6.3 decodes as documented")
    func zerorpcPythonRequest() throws {
        let payload = hex(
            """
            93 82 aa 6d 65 73 73 61 67 65 5f 69 64 c4 20 37 38 32 30 66 63 39 63 64 32 61 37 34 32 31 33 62
            34 66 36 32 30 32 65 35 65 38 66 31 34 30 62 a1 76 03 ac 64 65 74 65 63 74 5f 66 61 63 65 73 91
            91 82 a5 69 6d 61 67 65 a5 61 2e 6a 70 67 a6 6c 61 62 65 6c 73 91 81 a4 6e 61 6d 65 a6 70 65 72
            73 6f 6e
            """)
        let elements = try #require(try decoder.decode(payload).arrayValue)
        #expect(elements.count == 3)
        let header = elements[0]
        #expect(header["message_id"] == .binary(Array("7820fc9cd2a74213b4f6202e5e8f140b".utf8)))
        #expect(header["v"] == .int(3))
        #expect(elements[1] == .string("detect_faces"))
        let image = elements[2].arrayValue?.first?.arrayValue?.first
        #expect(image?["image"] == .string("a.jpg"))
        #expect(image?["labels"]?.arrayValue?.first?["name"] == .string("person"))
        // Re-encoding gives the wire bytes back: a message_id echoed from the decoded value keeps its
        // bytes and its MessagePack type (bin here, str from node clients).
        #expect(encoder.encode(.array(elements)) == payload)
    }

    @Test("Map order and duplicate keys are kept as sent")
    func mapOrder() throws {
        let map = MessagePackValue.map([(.string("z"), .int(1)), (.string("a"), .int(2)), (.string("z"), .int(3))])
        let decoded = try decoder.decode(encoder.encode(map))
        #expect(decoded == map)
        #expect(decoded["z"] == .int(1))
    }

    @Test("A length prefix larger than the input is refused without allocating it")
    func hostileLengths() throws {
        for bytes in ["dbffffffff61", "c6ffffffff", "ddffffffff", "dfffffffff", "c9ffffffff01", "dc0010c0"] {
            #expect(throws: MessagePackError.self, "\(bytes)") { try decoder.decode(hex(bytes)) }
        }
        #expect(throws: MessagePackError.lengthExceedsInput(length: 4_294_967_295, offset: 5)) {
            try decoder.decode(hex("dbffffffff61"))
        }
    }

    @Test("Truncated input, the reserved byte, bad UTF-8 and trailing bytes are errors")
    func malformed() throws {
        #expect(throws: MessagePackError.truncated(offset: 0)) { try decoder.decode([]) }
        #expect(throws: MessagePackError.truncated(offset: 1)) { try decoder.decode(hex("cd00")) }
        #expect(throws: MessagePackError.lengthExceedsInput(length: 2, offset: 1)) { try decoder.decode(hex("92")) }
        #expect(throws: MessagePackError.reservedByte(offset: 0)) { try decoder.decode(hex("c1")) }
        #expect(throws: MessagePackError.invalidUTF8(offset: 1)) { try decoder.decode(hex("a2c328")) }
        #expect(throws: MessagePackError.trailingBytes(offset: 1)) { try decoder.decode(hex("c0c0")) }
    }

    @Test("Nesting and element counts are bounded")
    func limits() throws {
        let deep = [UInt8](repeating: 0x91, count: 100) + [0xc0]
        #expect(throws: MessagePackError.tooDeep(limit: 64)) { try decoder.decode(deep) }
        let small = MessagePackDecoder(maxDepth: 64, maxElements: 10)
        #expect(throws: MessagePackError.tooManyElements(limit: 10)) {
            try small.decode(encoder.encode(.array(Array(repeating: .int(1), count: 11))))
        }
        #expect(try small.decode(encoder.encode(.array(Array(repeating: .int(1), count: 10)))) != .nil)
    }

    @Test("Accessors read numbers of any width and strings by key")
    func accessors() {
        #expect(MessagePackValue.uint(5).integerValue == 5)
        #expect(MessagePackValue.uint(UInt64.max).integerValue == nil)
        #expect(MessagePackValue.float(0.5).numberValue == 0.5)
        #expect(MessagePackValue.int(-3).numberValue == -3)
        #expect(MessagePackValue.string("x").numberValue == nil)
        #expect(MessagePackValue.array([]).mapValue == nil)
    }
}
