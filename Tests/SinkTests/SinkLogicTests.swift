import Foundation
import Testing
import ZMFaceCore

@testable import Sink

@Suite("sequence gaps seen by a subscriber")
struct SequenceGapTests {
    @Test("consecutive numbers pass, a jump is a gap with its range, a new session is a restart")
    func gaps() {
        var detector = SequenceGapDetector()
        #expect(detector.check(server: "a", session: "s1", seq: 1) == .first(seq: 1))
        #expect(detector.check(server: "a", session: "s1", seq: 5) == .gap(from: 2, to: 4))
        #expect(detector.check(server: "a", session: "s1", seq: 6) == .inOrder)
        #expect(detector.check(server: "a", session: "s1", seq: 9) == .gap(from: 7, to: 8))
        #expect(detector.check(server: "b", session: "x", seq: 4) == .gap(from: 1, to: 3), "connected late")
        #expect(detector.check(server: "a", session: "s2", seq: 1) == .newSession(seq: 1))
        #expect(detector.check(server: "a", session: "s2", seq: 1) == .outOfOrder(expected: 2, got: 1))
    }
}

@Suite("event summaries and unknown clusters")
struct SummaryTests {
    func encoding(_ value: Float) -> FaceEncoding {
        FaceEncoding([value] + Array(repeating: 0, count: 127))!
    }

    func face(_ index: Int, name: String?, probability: Double?, encoding: FaceEncoding?, focus: Double = 300)
        -> FaceResult
    {
        FaceResult(
            index: index, box: FaceBox(top: 10, right: 60, bottom: 60, left: 10), confidence: 1, focus: focus,
            encoding: encoding, name: name, probability: probability, distance: nil, margin: nil,
            status: name == nil ? .unknown : .recognized)
    }

    @Test("unknown faces are grouped by likeness; named faces keep their names")
    func clusters() {
        var frames = [
            FrameResult(
                frameID: 1, time: Date(timeIntervalSince1970: 0), score: 1,
                faces: [
                    face(0, name: nil, probability: 0.2, encoding: encoding(0)),
                    face(1, name: "obama", probability: 0.95, encoding: encoding(5)),
                ]),
            FrameResult(
                frameID: 2, time: Date(timeIntervalSince1970: 1), score: 1,
                faces: [
                    face(0, name: nil, probability: 0.3, encoding: encoding(0.1)),
                    face(1, name: nil, probability: 0.1, encoding: encoding(3)),
                ]),
        ]
        UnknownFaceClustering.assign(&frames)
        #expect(frames[0].faces.map(\.person) == ["unknown-1", "obama"])
        #expect(frames[1].faces.map(\.person) == ["unknown-1", "unknown-2"])
        let summaries = EventSummary.summarize(frames)
        #expect(summaries.map(\.person) == ["obama", "unknown-1", "unknown-2"])
        let stranger = summaries[1]
        #expect(stranger.framesSeen == 2 && stranger.bestFrame == 2 && stranger.maxProbability == 0.3)
        #expect(
            stranger.firstSeen == Date(timeIntervalSince1970: 0) && stranger.lastSeen == Date(timeIntervalSince1970: 1))
        #expect(abs(stranger.meanProbability! - 0.25) < 1e-12)
    }

    @Test("gated faces (no encoding) are not summarised; NaN probabilities do not win best frame")
    func gatedAndNaN() {
        let frames = [
            FrameResult(
                frameID: 1, time: Date(), score: 0,
                faces: [
                    face(0, name: "x", probability: .nan, encoding: encoding(1)),
                    face(1, name: nil, probability: nil, encoding: nil),
                ]),
            FrameResult(
                frameID: 2, time: Date(), score: 0, faces: [face(0, name: "x", probability: 0.5, encoding: encoding(1))]
            ),
        ]
        let summaries = EventSummary.summarize(frames)
        #expect(summaries.count == 1)
        #expect(summaries[0].bestFrame == 2)
    }

    @Test("SQL text for special floats is what PostgreSQL accepts")
    func floats() {
        #expect(sqlDouble(.nan) == "NaN")
        #expect(sqlDouble(.infinity) == "Infinity")
        #expect(sqlDouble(-.infinity) == "-Infinity")
        #expect(Double(sqlDouble(0.1)) == 0.1)
    }
}
