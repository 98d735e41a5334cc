import Foundation
import ZeroMQ

extension ServerConfiguration {
    /// worker.json `curve`: `secretKey` (the server's `.key_secret` from `zmface keygen`) and
    /// optional `clientKeys` (a directory of client `.key` files). It applies to the tcp endpoints of
    /// the zerorpc server and of the PUB socket. The key is read now, so `serve --check` and a
    /// start fail on an unreadable or world-readable key rather than the first handshake.
    mutating func readCurveSection(_ root: inout JSONFields) throws(ConfigurationError) {
        guard var curve = try root.object("curve") else { return }
        guard let secretKeyPath = try curve.string("secretKey") else {
            throw .invalid("curve.secretKey", "is required: the server's .key_secret file (zmface keygen)")
        }
        let keyPair: CurveKeyPair
        do {
            keyPair = try CurveCertificate.keyPair(atPath: secretKeyPath)
        } catch {
            throw .invalid("curve.secretKey", "\(error)")
        }
        let clientKeys = try curve.string("clientKeys")
        if let clientKeys {
            do {
                if try CurveCertificate.publicKeys(inDirectory: clientKeys).isEmpty {
                    notices.append("curve.clientKeys \(clientKeys) holds no .key file: every tcp client is refused")
                }
            } catch {
                throw .invalid("curve.clientKeys", "\(error)")
            }
        }
        try curve.rejectUnknownFields()
        security.curve = CurveServerSecurity(keyPair: keyPair, clientKeysDirectory: clientKeys)
    }
}
