// libFuzzer target for the MessagePack decoder, compiled together with Sources/MessagePack by
// scripts/fuzz. What must hold for any input: decoding never crashes, never allocates more than the
// input justifies (AddressSanitizer + libFuzzer's -rss_limit_mb catch that), and every value it
// accepts survives encode → decode unchanged.

@_cdecl("LLVMFuzzerTestOneInput")
public func messagePackFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoder = MessagePackDecoder()
    guard let value = try? decoder.decode(bytes) else { return 0 }
    let encoded = MessagePackEncoder().encode(value)
    guard let again = try? decoder.decode(encoded), again == value else {
        fatalError("round trip changed the value of \(bytes)")
    }
    return 0
}
