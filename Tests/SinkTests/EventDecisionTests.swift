import Foundation
import Testing
import ZMFaceCore

/// Who an event showed, decided from all its frames: agreeing frames must outnumber the frames
/// that show the same face otherwise, or one frame must be very sure and not outvoted.
@Suite("event decision")
struct EventDecisionTests {
    /// A face whose encoding is `at` along one axis (two faces closer than 0.6 are the same person).
    func face(_ name: String?, probability: Double, distance: Double = 0.4, at: Float, height: Int = 120)
        -> FaceResult
    {
        FaceResult(
            index: 0, box: FaceBox(top: 0, right: height, bottom: height, left: 0), confidence: 1, focus: 300,
            encoding: FaceEncoding([at] + Array(repeating: 0, count: 127)), name: name, probability: probability,
            distance: distance, margin: 0.3, status: name == nil ? .unknown : .recognized)
    }

    func frames(_ faces: [FaceResult?]) -> [FrameResult] {
        faces.enumerated().map { index, face in
            FrameResult(
                frameID: index + 1, time: Date(timeIntervalSince1970: Double(index)), score: 1,
                faces: face.map { [$0] } ?? [])
        }
    }

    @Test("A person named in most frames of their face is seen, with a confidence below the frames' mean")
    func agreeingFrames() throws {
        let event = frames([
            face("ann", probability: 0.6, at: 0), face("ann", probability: 0.7, at: 0.05),
            face(nil, probability: 0.3, at: 0.1),
            face("ann", probability: 0.5, at: 0.02),
        ])
        let decision = try #require(EventDecision.decide(event)["ann"])
        #expect(decision.seen && decision.agreeingFrames == 3 && decision.contradictingFrames == 1)
        #expect(abs(decision.confidence - 0.6 * 0.75) < 1e-9)
    }

    @Test("A name in one frame that most sightings of that face contradict is not seen")
    func outvoted() throws {
        let event = frames([
            face(nil, probability: 0.3, at: 0), face("bob", probability: 0.95, distance: 0.3, at: 0.05),
            face("ann", probability: 0.6, at: 0.02), face(nil, probability: 0.2, at: 0.04),
        ])
        let decisions = EventDecision.decide(event)
        #expect(decisions["bob"]?.seen == false, "one sure frame against three of the same face")
        #expect(decisions["ann"]?.seen == false)
    }

    @Test("One very sure frame is enough when nothing contradicts it; one unsure frame is not")
    func singleFrame() {
        let sure = EventDecision.decide(frames([face("ann", probability: 0.95, distance: 0.35, at: 0), nil, nil]))
        #expect(sure["ann"]?.seen == true)
        let unsure = EventDecision.decide(frames([face("ann", probability: 0.6, distance: 0.5, at: 0), nil]))
        #expect(unsure["ann"]?.seen == false)
    }

    @Test("Another person's face elsewhere in the event does not contradict a name")
    func otherPeople() throws {
        let event = frames([
            face("ann", probability: 0.6, at: 0), face("ann", probability: 0.6, at: 0.05),
            face(nil, probability: 0.2, at: 5),
            face(nil, probability: 0.2, at: 5.1), face(nil, probability: 0.2, at: 5.05),
        ])
        let decision = try #require(EventDecision.decide(event)["ann"])
        #expect(decision.seen && decision.contradictingFrames == 0)
    }

    @Test("Summaries carry the decision for names and none for unknown clusters; EventResults makes them once")
    func summaries() {
        var event = frames([
            face("ann", probability: 0.6, at: 0), face("ann", probability: 0.7, at: 0),
            face(nil, probability: 0.1, at: 9),
        ])
        UnknownFaceClustering.assign(&event)
        let results = EventResults(
            event: EventInfo(
                id: 1, monitorID: 1, monitorName: "Door", cause: "Motion", start: Date(), end: Date(), frameCount: 3),
            outcome: .processed, frames: event, modelVersion: "test", lowWatermark: nil)
        #expect(results.summaries.map(\.person) == ["ann", "unknown-1"])
        #expect(results.summaries[0].decision?.seen == true && results.summaries[1].decision == nil)
    }
}
