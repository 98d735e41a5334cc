import Testing

@testable import MQTT

/// The client's outbox: bounded for events, per topic for retained state, which is sent again
/// after every reconnection.
@Suite("MQTT outbox")
struct MQTTOutboxTests {
    func event(_ n: Int) -> MQTTMessage { MQTTMessage(topic: "z/event/\(n)", text: "\(n)", retain: false) }
    func state(_ topic: String, _ text: String) -> MQTTMessage { MQTTMessage(topic: topic, text: text, retain: true) }

    func drain(_ outbox: inout Outbox) -> [MQTTMessage] {
        var out: [MQTTMessage] = []
        while let message = outbox.pop() { out.append(message) }
        return out
    }

    @Test("A full outbox drops the oldest event message and says so; order is kept")
    func bounded() {
        var outbox = Outbox(capacity: 3)
        let dropped = (1...5).map { outbox.push(event($0)) }
        #expect(dropped == [0, 0, 0, 1, 1])
        #expect(outbox.count == 3)
        #expect(drain(&outbox) == [event(3), event(4), event(5)])
    }

    @Test("Retained state is kept per topic: a newer value replaces a queued one in place, never dropped")
    func retainedCoalesced() {
        var outbox = Outbox(capacity: 1)
        #expect(outbox.push(state("z/a", "1")) == 0)
        #expect(outbox.push(event(1)) == 0)
        #expect(outbox.push(state("z/a", "2")) == 0)
        #expect(outbox.push(event(2)) == 1, "the event is dropped, not the state")
        #expect(drain(&outbox) == [state("z/a", "2"), event(2)])
    }

    @Test("After a reconnection every remembered retained message goes out again first, in first-seen order")
    func requeue() {
        var outbox = Outbox(capacity: 10)
        _ = outbox.push(state("z/availability", "online"))
        _ = outbox.push(state("z/b", "1"))
        _ = drain(&outbox)
        _ = outbox.push(event(1))
        _ = outbox.push(state("z/b", "2"))
        outbox.requeueRetained()
        #expect(drain(&outbox) == [state("z/availability", "online"), event(1), state("z/b", "2")])
    }

    @Test("A message given back after a failed hand-over is next, and stopping empties the outbox")
    func pushFrontAndRemoveAll() {
        var outbox = Outbox(capacity: 10)
        _ = outbox.push(event(1))
        _ = outbox.push(event(2))
        let first = outbox.pop()!
        outbox.pushFront(first)
        #expect(outbox.pop() == event(1))
        #expect(outbox.removeAll() == 1)
        #expect(outbox.pop() == nil && outbox.count == 0)
    }
}
