// libFuzzer target for the zerorpc event parser (Sources/ZeroRPC/ZeroRPCEvent.swift), compiled with
// Sources/MessagePack by scripts/fuzz. What must hold for any message payload: parsing never
// crashes, and for every payload accepted as an event, a reply carrying its arguments parses back
// as an event that answers exactly that message id (same MessagePack type and bytes: node clients
// send str ids, python clients bin). The reply carries the arguments at the depth they came in:
// wrapping them in one more array made a reply one level deeper than the decoder's limit whenever
// the request was nested right up to it, which CI's fuzz run found as a false crash.

@_cdecl("LLVMFuzzerTestOneInput")
public func zerorpcEventFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoder = MessagePackDecoder()
    guard let event = try? ZeroRPCEvent.decode(bytes, decoder: decoder) else { return 0 }
    let reply = ZeroRPCEvent.encode(
        messageID: .string("reply"), responseTo: event.messageID, name: "OK", arguments: event.arguments)
    guard let parsed = try? ZeroRPCEvent.decode(reply, decoder: decoder), parsed.responseTo == event.messageID,
        parsed.arguments == event.arguments
    else {
        fatalError("the reply to \(bytes) does not parse back")
    }
    return 0
}
