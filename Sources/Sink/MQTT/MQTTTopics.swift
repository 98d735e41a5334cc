/// zmface's MQTT topic names (listed in the README's "MQTT topics") and the Home Assistant
/// discovery topics. Names and server ids go into topics through `slug`, because MQTT topic levels
/// cannot hold `/`, `+` or `#` and Home Assistant's object ids only `[A-Za-z0-9_-]`.
public struct MQTTTopics: Sendable, Equatable {
    public var prefix: String
    public var discoveryPrefix: String
    /// Names this server in discovery topics and unique ids (`zmface_<slug of publish.serverId>`).
    public var nodeID: String

    public init(prefix: String, discoveryPrefix: String, serverID: String) {
        self.prefix = prefix
        self.discoveryPrefix = discoveryPrefix
        self.nodeID = "zmface_\(Self.slug(serverID))"
    }

    public var availability: String { "\(prefix)/availability" }
    /// Home Assistant's birth message (`online` after it starts): zmface then publishes its
    /// discovery and state again.
    public var homeAssistantStatus: String { "\(discoveryPrefix)/status" }

    func event(monitor: Int, event: Int64) -> String { "\(prefix)/event/\(monitor)/\(event)" }
    func lastSeen(person name: String) -> String { "\(prefix)/person/\(Self.slug(name))/last_seen" }
    func presence(person name: String) -> String { "\(prefix)/person/\(Self.slug(name))/presence" }
    func lastRecognized(monitor: Int) -> String { "\(prefix)/camera/\(monitor)/last_recognized" }
    func unknownFace(monitor: Int) -> String { "\(prefix)/camera/\(monitor)/unknown" }

    /// `<discovery>/<component>/<node>/<object>/config`.
    func discovery(_ component: String, object: String) -> String {
        "\(discoveryPrefix)/\(component)/\(nodeID)/\(object)/config"
    }

    /// A name as one topic level and object id: kept as it is when it is already lower-case
    /// `[a-z0-9_-]`, else those characters of it (others become `_`, at most 40) and 8 hex digits of
    /// its FNV-1a hash, so `Bob`, `bob!` and `Bíden` stay apart.
    static func slug(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        if !name.isEmpty, name.count <= 64, name.allSatisfy(allowed.contains) { return name }
        let readable = String(name.lowercased().map { allowed.contains($0) ? $0 : "_" }.prefix(40))
        var hash: UInt32 = 0x811c_9dc5
        for byte in name.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let hex = String(hash, radix: 16)
        return readable + "_" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
