import MessagePack
import Testing
import ZMFaceCore

@testable import FaceAPI

/// The person ROI is cut as the original cut it (truncate toward zero, end-exclusive), but clamped
/// and validated instead of wrapping around on negative numbers.
@Suite struct PersonBoxTests {
    private func label(
        _ xmin: MessagePackValue, _ ymin: MessagePackValue, _ xmax: MessagePackValue, _ ymax: MessagePackValue
    )
        -> MessagePackValue
    {
        .map([
            (.string("name"), .string("person")),
            (
                .string("box"),
                .map([
                    (.string("xmin"), xmin), (.string("ymin"), ymin), (.string("xmax"), xmax), (.string("ymax"), ymax),
                ])
            ),
        ])
    }

    @Test("Coordinates are truncated toward zero; ints and floats both work")
    func truncation() throws {
        let box = try #require(PersonBox(label: label(.double(985.42), .double(81.61), .double(1188.47), .int(537))))
        #expect(
            box.regionOfInterest(width: 2000, height: 1000) == FaceBox(top: 81, right: 1188, bottom: 537, left: 985))
    }

    @Test("Boxes reaching outside the image are clamped to it")
    func clamped() throws {
        let box = try #require(PersonBox(label: label(.double(-20.7), .int(-5), .int(5000), .double(700.9))))
        #expect(box.regionOfInterest(width: 640, height: 480) == FaceBox(top: 0, right: 640, bottom: 480, left: 0))
    }

    @Test("NaN, infinite, inverted, empty and wholly outside boxes have no region")
    func invalid() throws {
        let boxes = [
            label(.double(.nan), .int(0), .int(10), .int(10)), label(.int(0), .int(0), .double(.infinity), .int(10)),
            label(.int(50), .int(0), .int(10), .int(10)), label(.int(10), .int(10), .int(10), .int(20)),
            label(.int(700), .int(500), .int(800), .int(600)), label(.int(-50), .int(-50), .int(-10), .int(-10)),
        ]
        for value in boxes {
            let box = try #require(PersonBox(label: value))
            #expect(box.regionOfInterest(width: 640, height: 480) == nil, "\(value)")
        }
    }

    @Test("A missing box or a non-numeric coordinate is no box at all")
    func missing() {
        #expect(PersonBox(label: .map([(.string("name"), .string("person"))])) == nil)
        #expect(PersonBox(label: label(.string("1"), .int(0), .int(10), .int(10))) == nil)
        #expect(PersonBox(label: .map([(.string("box"), .array([]))])) == nil)
    }
}
