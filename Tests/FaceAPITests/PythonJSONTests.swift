import MessagePack
import Testing

@testable import FaceAPI

/// detect_faces returns json.dumps text; clients parse it, and matching Python's formatting keeps
/// replies comparable with the original's byte for byte.
@Suite struct PythonJSONTests {
    @Test("Separators, key order and nesting follow json.dumps")
    func layout() {
        let value = MessagePackValue.array([
            .map([(.string("b"), .int(1)), (.string("a"), .array([.nil, .bool(true), .bool(false)]))]), .array([]),
            .map([]),
        ])
        #expect(PythonJSON.serialize(value) == #"[{"b": 1, "a": [null, true, false]}, [], {}]"#)
    }

    @Test("Floats print like Python's repr; NaN and infinities become null")
    func floats() {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (100.0, "100.0"), (1e-05, "1e-05"), (1e16, "1e+16"), (81.61, "81.61"), (-0.5, "-0.5"),
            (123456789.125, "123456789.125"),
        ]
        for (number, text) in cases { #expect(PythonJSON.serialize(.double(number)) == text) }
        #expect(PythonJSON.serialize(.double(.nan)) == "null")
        #expect(PythonJSON.serialize(.double(-.infinity)) == "null")
        #expect(PythonJSON.serialize(.float(0.5)) == "0.5")
        #expect(PythonJSON.serialize(.int(-42)) == "-42")
        #expect(PythonJSON.serialize(.uint(UInt64.max)) == "18446744073709551615")
    }

    @Test("Strings are escaped with ensure_ascii, surrogate pairs beyond the BMP")
    func strings() {
        #expect(PythonJSON.serialize(.string("a\"b\\c\n\r\t\u{8}\u{c}\u{1}/")) == #""a\"b\\c\n\r\t\b\f\u0001/""#)
        #expect(PythonJSON.serialize(.string("Zoë 😀")) == #""Zo\u00eb \ud83d\ude00""#)
    }

    @Test("Non-string keys become strings as Python converts them")
    func keys() {
        let value = MessagePackValue.map([
            (.int(1), .int(2)), (.nil, .int(3)), (.bool(true), .int(4)), (.double(1.5), .int(5)),
        ])
        #expect(PythonJSON.serialize(value) == #"{"1": 2, "null": 3, "true": 4, "1.5": 5}"#)
    }
}
