import Foundation
import Ingest
import Testing
import ZMFaceCore

/// What zmface writes into a ZoneMinder event's Notes: the people the event's decision confirms and
/// the count of unknown people, in one bracketed part that a re-run can find and replace. (The
/// statement itself runs against a real MariaDB in Tests/ingest/test_notes.py.)
@Suite("ZoneMinder notes")
struct ZoneMinderNoteTests {
    func face(_ name: String?, probability: Double, at: Float) -> FaceResult {
        FaceResult(
            index: 0, box: FaceBox(top: 0, right: 120, bottom: 120, left: 0), confidence: 1, focus: 300,
            encoding: FaceEncoding([at] + Array(repeating: 0, count: 127)), name: name, probability: probability,
            distance: 0.4, margin: 0.3, status: name == nil ? .unknown : .recognized)
    }

    func results(_ faces: [FaceResult]) -> EventResults {
        var frames = faces.enumerated().map { index, face in
            FrameResult(frameID: index + 1, time: Date(timeIntervalSince1970: Double(index)), score: 1, faces: [face])
        }
        UnknownFaceClustering.assign(&frames)
        return EventResults(
            event: EventInfo(
                id: 7, monitorID: 1, monitorName: "Door", cause: "Motion", start: Date(), end: Date(),
                frameCount: frames.count),
            outcome: .processed, frames: frames, modelVersion: "test", lowWatermark: nil)
    }

    @Test("Confirmed names, most confident first, then the unknown people; a name one weak frame gave is left out")
    func decidedPeople() {
        let note = ZoneMinderNote(
            results([
                face("ann", probability: 0.6, at: 0), face("ann", probability: 0.6, at: 0.01),
                face("bob", probability: 0.95, at: 3), face("bob", probability: 0.9, at: 3.01),
                face("eve", probability: 0.55, at: 6),
                face(nil, probability: 0.1, at: 9), face(nil, probability: 0.1, at: 12),
            ]))
        #expect(note.names == ["bob", "ann"])
        #expect(note.unknownPeople == 2)
        #expect(note.text == "[zmface: bob, ann, 2 unknown]")
    }

    @Test("An event with nobody in it writes no part (and the statement removes an old one)")
    func nobody() {
        let note = ZoneMinderNote(results([]))
        #expect(note.text == nil)
        let sql = note.updateStatement(eventID: 7) { "'\($0)'" }
        #expect(
            sql.hasPrefix("UPDATE Events SET Notes = TRIM(REGEXP_REPLACE(")
                && sql.hasSuffix("WHERE Id = 7 AND Notes LIKE '%[zmface: %'"))
        #expect(!sql.contains("CONCAT_WS"))
    }

    @Test("Brackets and line breaks in class names cannot end zmface's part early or split it")
    func hostileNames() {
        let note = ZoneMinderNote(names: ["a]b[c", "x\ny"], unknownPeople: 0)
        #expect(note.text == "[zmface: a)b(c, x y]")
    }

    @Test("The note text goes through the connection's quoting, never into the SQL as is")
    func quoting() {
        let note = ZoneMinderNote(names: ["O'Bama"], unknownPeople: 1)
        let sql = note.updateStatement(eventID: 3) { "Q(\($0.count))" }
        #expect(sql.contains("Q(\(note.text!.count))") && !sql.contains("O'Bama"))
    }
}
