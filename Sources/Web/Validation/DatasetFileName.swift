/// A training photo's file name inside a person's dataset folder, as the People page names it:
/// one path component, no leading `.`, no `/`, `\` or control characters. Built into a path only
/// after this check, and only under the person's validated folder.
public struct DatasetFileName: Sendable, Equatable {
    public let value: String

    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 255, !text.hasPrefix("."),
            !text.contains(where: { $0 == "/" || $0 == "\\" || $0.isNewline }),
            !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return nil }
        value = text
    }

    /// The face id of a crop the train job exported (`zmface-<face id>.jpg`), nil for the user's own photos.
    public var exportedFace: String? {
        guard value.hasPrefix(Self.exportPrefix), value.hasSuffix(".jpg") else { return nil }
        return String(value.dropFirst(Self.exportPrefix.count).dropLast(4))
    }

    public static let exportPrefix = "zmface-"
}
