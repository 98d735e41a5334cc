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

    public var description: String { "\(eventID)-\(frameID)-\(faceIndex)" }

    /// The crop file's path relative to `faces.cropsPath`.
    public var cropPath: String { "\(eventID)/\(frameID)-\(faceIndex).jpg" }

    public static func < (a: FaceKey, b: FaceKey) -> Bool {
        (a.eventID, a.frameID, a.faceIndex) < (b.eventID, b.frameID, b.faceIndex)
    }
}
