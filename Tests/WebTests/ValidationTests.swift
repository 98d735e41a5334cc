import Sink
import Testing
import Web
import ZMFaceCore

/// Everything that comes from a URL or a body and ends up in a path or a folder name.
@Suite("faces page input validation")
struct ValidationTests {
    @Test("Names that can be folder names are accepted as typed")
    func goodNames() throws {
        for name in ["alice", "Bob Smith", "O'Bama \"Barack\"", "Ωμέγα 🇺🇸", "a.b", String(repeating: "x", count: 64)] {
            #expect(try PersonName(validating: name).value == name)
        }
    }

    @Test("Names that could escape the dataset folder, hide, or mean the stranger class are refused")
    func badNames() {
        let refused: [(String, PersonName.Problem)] = [
            ("", .empty), ("   ", .empty), (String(repeating: "x", count: 65), .tooLong),
            ("a/b", .forbiddenCharacter("/")), ("a\\b", .forbiddenCharacter("\\")), ("..", .dots),
            ("a..b", .dots), (".hidden", .dots), ("tab\there", .forbiddenCharacter("\t")),
            ("nl\n", .forbiddenCharacter("\n")), ("bell\u{7}", .forbiddenCharacter("\u{7}")),
            ("rtl\u{202E}gpj", .forbiddenCharacter("\u{202E}")), ("zero\u{200B}width", .forbiddenCharacter("\u{200B}")),
            ("Unknown", .reserved), ("unknown", .reserved),
        ]
        for (name, problem) in refused {
            #expect(throws: problem, "\(name.debugDescription)") { try PersonName(validating: name) }
        }
    }

    @Test("Crop names parse to numbers only; traversal, encodings, signs and other forms are refused")
    func cropNames() throws {
        let crop = try #require(CropName(event: "7", file: "12-0.jpg"))
        #expect(crop.relativePath == "7/12-0.jpg")
        #expect(CropName(event: "0007", file: "012-00.jpg")?.relativePath == "7/12-0.jpg")
        let refused: [(String, String)] = [
            ("..", "12-0.jpg"), ("7", "../12-0.jpg"), ("7", "%2e%2e"), ("%2e%2e", "12-0.jpg"), ("/etc", "passwd"),
            ("7", "12-0.jpeg"), ("7", "12-0.jpg/"), ("-7", "12-0.jpg"), ("+7", "12-0.jpg"), ("7", "12.jpg"),
            ("7", "12-0-1.jpg"), ("7", "a-0.jpg"), ("7 ", "12-0.jpg"), ("٧", "12-0.jpg"), ("", "12-0.jpg"),
            ("7", "-0.jpg"), ("99999999999999999999", "1-0.jpg"), ("7", "12-0.jpg\u{0}"),
        ]
        for (event, file) in refused {
            #expect(CropName(event: event, file: file) == nil, "\(event)/\(file)")
        }
    }

    @Test("Training photo names are one plain path component")
    func photoNames() {
        #expect(DatasetFileName("1.jpg")?.value == "1.jpg")
        #expect(DatasetFileName("zmface-7-12-0.jpg")?.exportedFace == "7-12-0")
        #expect(DatasetFileName("holiday.jpg")?.exportedFace == nil)
        for bad in ["", ".", "..", ".hidden.jpg", "a/b.jpg", "../x.jpg", "a\\b", "x\n.jpg", "/etc/passwd"] {
            #expect(DatasetFileName(bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test("Face ids are three plain numbers")
    func faceIDs() {
        #expect(FaceKey("7-12-0") == FaceKey(eventID: 7, frameID: 12, faceIndex: 0))
        #expect(FaceKey("7-12-0")?.description == "7-12-0")
        for bad in ["", "7-12", "7-12-0-1", "7--0", "-7-1-0", "7-1-x", "7-1-0 ", "7-99999999999-0"] {
            #expect(FaceKey(bad) == nil, "\(bad)")
        }
    }
}
