/// What waits to be published, in order. Plain messages (events) queue up to `capacity`; when it
/// is full the oldest is dropped, so a broker that is away costs bounded memory and never blocks
/// the caller. Retained messages are state, kept per topic: a newer one replaces an older one that
/// has not gone out yet (in its place in the queue), and every one is remembered so it can be
/// published again after a reconnection (a broker restarted without persistence has lost them).
struct Outbox {
    let capacity: Int
    fileprivate enum Entry {
        case message(MQTTMessage)
        case retained(topic: String)
    }
    private var entries: [Entry] = []
    private var head = 0
    private var messageCount = 0
    /// The latest retained payload of every topic, and the order topics were first seen in (the
    /// availability topic, published first, goes out first after a reconnection).
    private var retained: [String: [UInt8]] = [:]
    private var retainedOrder: [String] = []
    private var pendingRetained: Set<String> = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Messages waiting (plain and retained).
    var count: Int { messageCount + pendingRetained.count }

    /// Queues `message`; returns how many older messages were dropped to make room (0 or 1).
    mutating func push(_ message: MQTTMessage) -> Int {
        if message.retain {
            if retained.updateValue(message.payload, forKey: message.topic) == nil {
                retainedOrder.append(message.topic)
            }
            if pendingRetained.insert(message.topic).inserted { entries.append(.retained(topic: message.topic)) }
            return 0
        }
        var dropped = 0
        if messageCount >= capacity, let oldest = entries[head...].firstIndex(where: \.isMessage) {
            entries.remove(at: oldest)
            messageCount -= 1
            dropped = 1
        }
        entries.append(.message(message))
        messageCount += 1
        return dropped
    }

    /// The next message to publish, removed from the queue.
    mutating func pop() -> MQTTMessage? {
        while head < entries.count {
            let entry = entries[head]
            head += 1
            compactIfWorthIt()
            switch entry {
            case .message(let message):
                messageCount -= 1
                return message
            case .retained(let topic):
                pendingRetained.remove(topic)
                if let payload = retained[topic] { return MQTTMessage(topic: topic, payload: payload, retain: true) }
            }
        }
        return nil
    }

    /// Puts back a message `pop` gave out that could not be handed over (the connection broke).
    mutating func pushFront(_ message: MQTTMessage) {
        let entry: Entry
        if message.retain {
            guard pendingRetained.insert(message.topic).inserted else { return }
            entry = .retained(topic: message.topic)
        } else {
            messageCount += 1
            entry = .message(message)
        }
        if head > 0 {
            head -= 1
            entries[head] = entry
        } else {
            entries.insert(entry, at: 0)
        }
    }

    /// Queues every remembered retained message again, ahead of everything else, in first-seen order.
    mutating func requeueRetained() {
        let again = retainedOrder.filter { !pendingRetained.contains($0) }
        pendingRetained.formUnion(again)
        entries = again.map { Entry.retained(topic: $0) } + entries[head...]
        head = 0
    }

    /// Empties the queue (the server stops); returns how many messages were waiting.
    mutating func removeAll() -> Int {
        defer {
            entries = []
            head = 0
            messageCount = 0
            pendingRetained = []
        }
        return count
    }

    private mutating func compactIfWorthIt() {
        if head >= 1024, head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}

extension Outbox.Entry {
    fileprivate var isMessage: Bool {
        if case .message = self { return true }
        return false
    }
}
