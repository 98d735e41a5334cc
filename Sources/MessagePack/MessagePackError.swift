/// Why bytes are not an acceptable MessagePack document. Positions are byte offsets into the input.
public enum MessagePackError: Error, Equatable, CustomStringConvertible {
    case truncated(offset: Int)
    case lengthExceedsInput(length: Int, offset: Int)
    case invalidUTF8(offset: Int)
    case reservedByte(offset: Int)
    case tooDeep(limit: Int)
    case tooManyElements(limit: Int)
    case trailingBytes(offset: Int)

    public var description: String {
        switch self {
        case .truncated(let offset): "MessagePack data ends early at byte \(offset)"
        case .lengthExceedsInput(let length, let offset):
            "MessagePack length \(length) at byte \(offset) exceeds the remaining input"
        case .invalidUTF8(let offset): "MessagePack string at byte \(offset) is not valid UTF-8"
        case .reservedByte(let offset): "MessagePack reserved type byte 0xc1 at byte \(offset)"
        case .tooDeep(let limit): "MessagePack nesting deeper than \(limit)"
        case .tooManyElements(let limit): "MessagePack document has more than \(limit) elements"
        case .trailingBytes(let offset): "unexpected bytes after the MessagePack value at byte \(offset)"
        }
    }
}
