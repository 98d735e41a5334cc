import MessagePack

/// One zerorpc event: `[header, name, args]`, the single MessagePack document of a message's last frame.
struct ZeroRPCEvent {
    /// The sender's id for this event, kept as decoded so it goes back with the same bytes and the
    /// same MessagePack type (python clients send bin, node clients str).
    var messageID: MessagePackValue
    var responseTo: MessagePackValue?
    var name: MessagePackValue
    var arguments: MessagePackValue

    /// Why a payload is not a zerorpc event at all; such payloads are dropped, as zerorpc-python does.
    enum Malformed: Error, Equatable {
        case notMessagePack(MessagePackError)
        case notAnEvent
        case noMessageID
    }

    static func decode(_ payload: [UInt8], decoder: MessagePackDecoder) throws(Malformed) -> ZeroRPCEvent {
        let value: MessagePackValue
        do {
            value = try decoder.decode(payload)
        } catch {
            throw .notMessagePack(error)
        }
        guard case .array(let parts) = value, parts.count == 3, case .map = parts[0] else { throw .notAnEvent }
        guard let messageID = parts[0]["message_id"], messageID != .nil else { throw .noMessageID }
        let responseTo = parts[0]["response_to"]
        return ZeroRPCEvent(
            messageID: messageID, responseTo: responseTo == .nil ? nil : responseTo, name: parts[1],
            arguments: parts[2])
    }

    /// A server event on the channel `channel`: header `{message_id, v: 3, response_to}` — `v` on
    /// every event, or python clients misread ERR replies.
    static func encode(
        messageID: MessagePackValue, responseTo channel: MessagePackValue, name: String, arguments: MessagePackValue
    ) -> [UInt8] {
        let header = MessagePackValue.map([
            (.string("message_id"), messageID), (.string("v"), .int(3)), (.string("response_to"), channel),
        ])
        return MessagePackEncoder().encode(.array([header, .string(name), arguments]))
    }
}
