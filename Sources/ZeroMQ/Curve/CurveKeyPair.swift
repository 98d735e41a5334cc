internal import CZmq

/// A CURVE key pair in Z85 text (40 characters per key), the form libzmq's options, pyzmq and czmq
/// certificates use.
public struct CurveKeyPair: Sendable, Equatable {
    public let publicKey: String
    public let secretKey: String

    /// A fresh pair from libzmq's CSPRNG (libsodium).
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError("zmq_curve_keypair") }
        return CurveKeyPair(publicKey: String(zmqText: publicKey), secretKey: String(zmqText: secretKey))
    }

    /// The pair of `secretKey`, with the public key derived from it (so a secret certificate whose
    /// public line was edited cannot mislead).
    public init(secretKey: String) throws(ZMQError) {
        guard Self.decode(secretKey) != nil else {
            throw ZMQError(operation: "CURVE key", message: "not a 40-character Z85 key", code: EINVAL)
        }
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else { throw ZMQError("zmq_curve_public") }
        self.init(publicKey: String(zmqText: publicKey), secretKey: secretKey)
    }

    private init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The 32 bytes behind a Z85 key; nil when `key` is not one (ZAP requests carry raw bytes).
    public static func decode(_ key: String) -> [UInt8]? {
        guard key.utf8.count == 40 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&bytes, key) != nil else { return nil }
        return bytes
    }

    /// The Z85 text of 32 raw key bytes.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        guard zmq_z85_encode(&text, bytes, 32) != nil else { return nil }
        return String(zmqText: text)
    }
}
