/// A detection's id in the faces API: `"<event_id>-<frame_id>-<face_index>"`, the row's primary key.
public struct FaceID: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let eventID: Int64
    public let frameID: Int32
    public let faceIndex: Int32

    public init(eventID: Int64, frameID: Int32, faceIndex: Int32) {
        self.eventID = eventID
        self.frameID = frameID
        self.faceIndex = faceIndex
    }

    /// Parses the API form; nil for anything else (signs, spaces, missing or extra parts).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3,
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let event = Int64(parts[0]), let frame = Int32(parts[1]), let face = Int32(parts[2])
        else { return nil }
        self.init(eventID: event, frameID: frame, faceIndex: face)
    }

    public var description: String { "\(eventID)-\(frameID)-\(faceIndex)" }

    public static func < (a: FaceID, b: FaceID) -> Bool {
        (a.eventID, a.frameID, a.faceIndex) < (b.eventID, b.frameID, b.faceIndex)
    }
}
