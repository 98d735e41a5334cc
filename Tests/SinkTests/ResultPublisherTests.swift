import Foundation
import Testing
import ZMFaceCore
import ZeroMQ

@testable import Sink

@Suite("ZeroMQ PUB (real sockets)", .serialized)
struct ResultPublisherTests {
    /// A SUB socket on this thread; receives until `count` messages or a 5 s silence.
    func receive(_ endpoint: String, count: Int, afterSubscribing publish: () async -> Void) async throws
        -> [(topic: String, json: [String: Any])]
    {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, type: .sub)
        defer { socket.close() }
        try socket.subscribe([])
        try socket.setReceiveTimeout(milliseconds: 5000)
        try socket.connect(endpoint)
        try await Task.sleep(for: .milliseconds(300))  // the subscription must reach the PUB socket
        await publish()
        var messages: [(String, [String: Any])] = []
        while messages.count < count, let frames = try socket.receive(blocking: true) {
            let json = try JSONSerialization.jsonObject(with: Data(frames[1])) as! [String: Any]
            messages.append((String(decoding: frames[0], as: UTF8.self), json))
        }
        return messages
    }

    @Test("faces then the event summary, numbered 1, 2, 3…; hostile names intact, NaN published as null")
    func messages() async throws {
        let publisher = try await ResultPublisher.start(
            endpoints: ["tcp://127.0.0.1:*"], highWaterMark: 1000, serverID: "test-server")
        defer { publisher.stop() }
        let endpoint = try await publisher.boundEndpoint()
        let hostile = "O'Brien \"🙂\" / Ωμέγα"
        let results = results(
            event: 42,
            faces: [
                [face(0, name: hostile, probability: .nan)], [face(0, name: nil, probability: 0.2, margin: -.infinity)],
            ])
        let messages = try await receive(endpoint, count: 3) { await publisher.announce(results) }
        #expect(messages.map(\.topic) == ["face/2/\(hostile)", "face/2/unknown", "event/2/42"])
        #expect(messages.map { $0.json["seq"] as? Int } == [1, 2, 3])
        #expect(Set(messages.map { $0.json["session"] as! String }) == [publisher.session])
        #expect(messages.allSatisfy { $0.json["server"] as? String == "test-server" })
        let first = messages[0].json
        #expect(first["name"] as? String == hostile)
        #expect(first["probability"] is NSNull, "NaN is not JSON: published as null")
        #expect(messages[1].json["name"] is NSNull, "an unknown face has name null, the key is present")
        #expect(messages[1].json["margin"] is NSNull)
        let people = messages[2].json["people"] as! [[String: Any]]
        #expect(people.map { $0["person"] as? String }.contains(hostile))
        #expect(await publisher.counts().published == 3)
    }

    @Test("a status message follows on the same numbering")
    func status() async throws {
        let publisher = try await ResultPublisher.start(
            endpoints: ["tcp://127.0.0.1:*"], highWaterMark: 1000, serverID: "s")
        defer { publisher.stop() }
        let endpoint = try await publisher.boundEndpoint()
        let messages = try await receive(endpoint, count: 2) {
            await publisher.announce(results(event: 1, faces: []))
            await publisher.publishStatus(
                StatusReport(
                    uptimeSeconds: 1, workers: 2, busyWorkers: 0, queuedJobs: 0, newestHandledEvent: 1, model: "none"))
        }
        #expect(messages.map(\.topic) == ["event/2/1", "status"])
        #expect(messages.map { $0.json["seq"] as? Int } == [1, 2])
        #expect(messages[1].json["workers"] as? Int == 2)
    }

    @Test("an endpoint that cannot be bound is an error naming it")
    func badEndpoint() async {
        let error = await #expect(throws: EndpointPolicy.Violation.self) {
            _ = try await ResultPublisher.start(endpoints: ["bogus://x"], highWaterMark: 10, serverID: "s")
        }
        #expect(error == .unsupported("bogus://x"))
        await #expect(throws: ZMQError.self, "a port that is not a number reaches libzmq, which refuses it") {
            _ = try await ResultPublisher.start(
                endpoints: ["tcp://127.0.0.1:notaport"], highWaterMark: 10, serverID: "s")
        }
    }

    @Test("the PUB socket binds under the same policy as zerorpc: no remote tcp unless allowed")
    func remoteRefused() async throws {
        let error = await #expect(throws: EndpointPolicy.Violation.self) {
            _ = try await ResultPublisher.start(endpoints: ["tcp://0.0.0.0:*"], highWaterMark: 10, serverID: "s")
        }
        #expect(error == .remoteNotAllowed("tcp://0.0.0.0:*"))
        let allowed = try await ResultPublisher.start(
            endpoints: ["tcp://0.0.0.0:*"], highWaterMark: 10, serverID: "s",
            security: ServerSocketSecurity(allowRemote: true))
        allowed.stop()
    }
}

@Suite("ipc socket permissions")
struct IPCPermissionTests {
    @Test("a PUB ipc socket gets the configured mode and group; an unknown group is refused")
    func modeAndGroup() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmface-pub-\(UUID()).sock").path
        let publisher = try await ResultPublisher.start(
            endpoints: ["ipc://\(path)"], highWaterMark: 10, serverID: "s",
            security: ServerSocketSecurity(ipcPermissions: IPCPermissions(mode: 0o640, group: "nogroup")))
        defer { publisher.stop() }
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640)
        #expect(info.st_gid == getgrnam("nogroup").pointee.gr_gid)
        await #expect(throws: ZMQError.self) {
            _ = try await ResultPublisher.start(
                endpoints: ["ipc://\(path)-2"], highWaterMark: 10, serverID: "s",
                security: ServerSocketSecurity(ipcPermissions: IPCPermissions(group: "no-such-group-zmface")))
        }
    }
}
