import Foundation
import Testing

@testable import ZeroMQ

/// CURVE keys, their certificate files, and the ZAP handler that decides who may connect.
@Suite struct CurveTests {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zmface-curve-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("A written key pair reads back, the secret file is 0600 and is never replaced silently")
    func certificateRoundTrip() throws {
        let directory = try temporaryDirectory()
        let pair = try CurveKeyPair.generate()
        let paths = try CurveCertificate.write(pair, name: "server", directory: directory)
        #expect(try CurveCertificate.keyPair(atPath: paths.secretPath) == pair)
        #expect(try CurveCertificate.publicKey(atPath: paths.publicPath) == pair.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: paths.secretPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: CurveCertificate.Error.self) {
            try CurveCertificate.write(CurveKeyPair.generate(), name: "server", directory: directory)
        }
        #expect(try CurveCertificate.keyPair(atPath: paths.secretPath) == pair, "the refused write changed nothing")
        #expect(throws: CurveCertificate.Error.self, "the public file has no secret") {
            try CurveCertificate.keyPair(atPath: paths.publicPath)
        }
        chmod(paths.secretPath, 0o644)
        #expect(throws: CurveCertificate.Error.self, "a world-readable secret is refused") {
            try CurveCertificate.keyPair(atPath: paths.secretPath)
        }
    }

    @Test("The public key is derived from the secret one, whatever the file's public line says")
    func derivedPublicKey() throws {
        let pair = try CurveKeyPair.generate()
        #expect(try CurveKeyPair(secretKey: pair.secretKey) == pair)
        #expect(throws: ZMQError.self) { try CurveKeyPair(secretKey: "too short") }
        let bytes = try #require(CurveKeyPair.decode(pair.publicKey))
        #expect(bytes.count == 32 && CurveKeyPair.encode(bytes) == pair.publicKey)
    }

    @Test("ZAP: listed keys get 200 with the key as user id; unlisted, non-CURVE and malformed requests get 400")
    func zapDecisions() throws {
        let directory = try temporaryDirectory()
        let listed = try CurveKeyPair.generate()
        let unlisted = try CurveKeyPair.generate()
        try CurveCertificate.write(listed, name: "alice", directory: directory)
        func request(_ key: CurveKeyPair, mechanism: String = "CURVE") -> [[UInt8]] {
            [
                Array("1.0".utf8), Array("7".utf8), Array("zmface".utf8), Array("127.0.0.1".utf8), [],
                Array(mechanism.utf8), CurveKeyPair.decode(key.publicKey)!,
            ]
        }
        let (allowed, decision) = ZAPAuthenticator.answer(request(listed), clientKeysDirectory: directory)
        #expect(allowed[1] == Array("7".utf8) && allowed[2] == Array("200".utf8))
        #expect(allowed[4] == Array(listed.publicKey.utf8))
        #expect(decision?.allowed == true && decision?.address == "127.0.0.1")
        let (denied, _) = ZAPAuthenticator.answer(request(unlisted), clientKeysDirectory: directory)
        #expect(denied[2] == Array("400".utf8))
        #expect(ZAPAuthenticator.answer(request(unlisted), clientKeysDirectory: nil).0[2] == Array("200".utf8))
        let missing = directory + "/gone"
        #expect(ZAPAuthenticator.answer(request(listed), clientKeysDirectory: missing).0[2] == Array("400".utf8))
        #expect(
            ZAPAuthenticator.answer(request(listed, mechanism: "PLAIN"), clientKeysDirectory: nil).0[2]
                == Array("400".utf8))
        #expect(ZAPAuthenticator.answer([Array("2.0".utf8), [1]], clientKeysDirectory: nil).0[2] == Array("400".utf8))
        #expect(ZAPAuthenticator.answer([], clientKeysDirectory: nil).0[2] == Array("400".utf8))
    }

    @Test("Over real sockets: the listed client is answered, an unlisted one never is, and ipc stays plain")
    func handshakeOverSockets() throws {
        let directory = try temporaryDirectory()
        let server = try CurveKeyPair.generate()
        let alice = try CurveKeyPair.generate()
        try CurveCertificate.write(alice, name: "alice", directory: directory)
        let context = try ZMQContext()
        let authenticator = try ZAPAuthenticator(context: context, clientKeysDirectory: directory) { _ in }
        defer { authenticator.stop() }
        let router = try ZMQSocket(context: context, type: .router)
        defer { router.close() }
        let ipc = "ipc://\(directory)/plain.sock"
        let bound = try router.bind(
            ["tcp://127.0.0.1:*", ipc],
            security: ServerSocketSecurity(curve: CurveServerSecurity(keyPair: server, clientKeysDirectory: directory)))
        #expect(bound.first == ipc, "ipc is bound before the socket becomes a CURVE server")
        let tcp = bound[1]

        func roundTrip(_ endpoint: String, as client: CurveKeyPair?) throws -> Bool {
            let dealer = try ZMQSocket(context: context, type: .dealer)
            defer { dealer.close() }
            if let client { try dealer.setCurveClient(serverKey: server.publicKey, keyPair: client) }
            try dealer.connect(endpoint)
            try dealer.send([Array("ping".utf8)])
            try router.setReceiveTimeout(milliseconds: 1500)
            guard let frames = try router.receive(blocking: true) else { return false }
            return frames.last == Array("ping".utf8)
        }
        #expect(try roundTrip(tcp, as: alice))
        #expect(try !roundTrip(tcp, as: try CurveKeyPair.generate()), "an unlisted key is refused")
        #expect(try !roundTrip(tcp, as: nil), "a plain client is refused on tcp")
        #expect(try roundTrip(ipc, as: nil), "a plain client is served on ipc")
    }
}
