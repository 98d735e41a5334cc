import Foundation
import Testing
import ZeroMQ

/// Endpoints are checked before binding: no accidental exposure to the network, and no silent theft
/// of another server's ipc socket.
@Suite struct EndpointPolicyTests {
    @Test("Loopback tcp endpoints are allowed, others only with allowRemote")
    func exposure() throws {
        for endpoint in ["tcp://127.0.0.1:4242", "tcp://localhost:1", "tcp://[::1]:4242", "ipc:///tmp/x.sock"] {
            #expect(throws: Never.self) { try EndpointPolicy.checkExposure(endpoint, allowRemote: false) }
        }
        for endpoint in ["tcp://0.0.0.0:4242", "tcp://*:4242", "tcp://192.0.2.1:1", "tcp://[::]:4242"] {
            #expect(throws: EndpointPolicy.Violation.remoteNotAllowed(endpoint)) {
                try EndpointPolicy.checkExposure(endpoint, allowRemote: false)
            }
            #expect(throws: Never.self) { try EndpointPolicy.checkExposure(endpoint, allowRemote: true) }
        }
        #expect(throws: EndpointPolicy.Violation.unsupported("inproc://x")) {
            try EndpointPolicy.checkExposure("inproc://x", allowRemote: true)
        }
    }

    @Test("An ipc path that is a plain file is never removed; an over-long path is refused")
    func ipcFiles() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "zmface-not-a-socket-\(UUID().uuidString)")
        try Data("keep me".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: EndpointPolicy.Violation.ipcNotASocket(file.path)) {
            try EndpointPolicy.prepareIPC("ipc://" + file.path)
        }
        #expect(FileManager.default.fileExists(atPath: file.path))
        let long = "/tmp/" + String(repeating: "a", count: 120)
        #expect(throws: EndpointPolicy.Violation.ipcPathTooLong(long)) {
            try EndpointPolicy.prepareIPC("ipc://" + long)
        }
    }
}
