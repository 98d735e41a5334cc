import MessagePack

/// Event ids the way zerorpc-python makes them: 8 hex digits of a counter then 24 random hex digits,
/// sent as bin. Only uniqueness matters to clients.
struct MessageIDGenerator {
    private var counter = UInt32.random(in: 0...UInt32.max)
    private var base = Self.randomBase()

    private static func randomBase() -> String {
        (0..<24).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
    }

    mutating func next() -> MessagePackValue {
        counter &+= 1
        if counter == 0 { base = Self.randomBase() }
        let hex = String(counter, radix: 16)
        return .binary(Array((String(repeating: "0", count: 8 - hex.count) + hex + base).utf8))
    }
}
