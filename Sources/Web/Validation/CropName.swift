/// A crop's name in a URL (`/crops/<event_id>/<frame_id>-<face_index>.jpg`), parsed into numbers:
/// the file served is built from the numbers, never from the request's text, so no `..`, `%2e`,
/// absolute path or odd character can reach the file system.
public struct CropName: Sendable, Equatable {
    public let eventID: Int64
    public let frameID: Int32
    public let faceIndex: Int32

    public init?(event: some StringProtocol, file: some StringProtocol) {
        guard let eventID = Self.number(event, as: Int64.self), file.hasSuffix(".jpg") else { return nil }
        let parts = file.dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let frame = Self.number(parts[0], as: Int32.self),
            let face = Self.number(parts[1], as: Int32.self)
        else { return nil }
        (self.eventID, self.frameID, self.faceIndex) = (eventID, frame, face)
    }

    /// The file's path relative to the crops folder, as the crops writer names it.
    public var relativePath: String { "\(eventID)/\(frameID)-\(faceIndex).jpg" }

    /// Plain ASCII digits, at most 18 of them (no sign, no spaces, no other numerals).
    private static func number<T: FixedWidthInteger>(_ text: some StringProtocol, as: T.Type) -> T? {
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return T(text)
    }
}
