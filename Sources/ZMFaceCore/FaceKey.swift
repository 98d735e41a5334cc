/// One stored face: the key of its `detections` row. The faces page names it
/// `"<event_id>-<frame_id>-<face_index>"`, and its crop file is `<event_id>/<frame_id>-<face_index>.jpg`.
public struct FaceKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var eventID: Int64
    public var frameID: Int
    public var faceIndex: Int

    public init(eventID: Int64, frameID: Int, faceIndex: Int) {
        self.eventID = eventID
        self.frameID = frameID
        self.faceIndex = faceIndex
    }

    /// Parses the page's form; nil for anything else (signs, spaces, missing or extra parts).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3,
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let event = Int64(parts[0]), let frame = Int32(parts[1]), let face = Int32(parts[2])
        else { return nil }
        self.init(eventID: event, frameID: Int(frame), faceIndex: Int(face))
    }

    public var description: String { "\(eventID)-\(frameID)-\(faceIndex)" }

    /// The crop file's path relative to `faces.cropsPath`.
    public var cropPath: String { "\(eventID)/\(frameID)-\(faceIndex).jpg" }

    public static func < (a: FaceKey, b: FaceKey) -> Bool {
        (a.eventID, a.frameID, a.faceIndex) < (b.eventID, b.frameID, b.faceIndex)
    }
}
