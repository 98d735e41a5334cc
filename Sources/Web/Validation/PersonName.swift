import Foundation

/// A person's name as the user types it. Names become dataset folder names, so they are checked
/// here before anything is stored: 1–64 characters, no `/` or `\`, no `..`, no leading `.`, no
/// control characters, and not `Unknown` (the stranger class's folder).
public struct PersonName: Sendable, Equatable, CustomStringConvertible {
    public let value: String
    public static let strangerFolder = "Unknown"

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case empty, tooLong
        case forbiddenCharacter(Character)
        case dots, reserved

        public var description: String {
            switch self {
            case .empty: "a name must not be empty"
            case .tooLong: "a name must be at most 64 characters"
            case .forbiddenCharacter(let character):
                "a name must not contain \(character.unicodeScalars.map { String(format: "U+%04X", $0.value) }.joined())"
            case .dots: "a name must not start with \".\" or contain \"..\""
            case .reserved: "\"Unknown\" is reserved for strangers (use \"not this person\")"
            }
        }
    }

    public init(validating text: String) throws(Problem) {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw .empty }
        guard text.count <= 64 else { throw .tooLong }
        if let bad = text.first(where: { $0 == "/" || $0 == "\\" || $0.unicodeScalars.contains(where: Self.isControl) })
        {
            throw .forbiddenCharacter(bad)
        }
        guard !text.hasPrefix("."), !text.contains("..") else { throw .dots }
        guard text.caseInsensitiveCompare(Self.strangerFolder) != .orderedSame else { throw .reserved }
        value = text
    }

    public var description: String { value }

    /// C0 and C1 controls, DEL, and the invisible format characters that would make two folder
    /// names look the same (zero-width, bidirectional overrides).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
            || scalar.properties.generalCategory == .lineSeparator
            || scalar.properties.generalCategory == .paragraphSeparator
    }
}
