/// CURVE on a server socket's tcp endpoints: the traffic is encrypted and the server proves it
/// holds its secret key; with `clientKeysDirectory`, clients must also hold a listed key.
/// ipc endpoints stay plain: their file mode and group already decide who may connect, and the
/// local ZoneMinder uploader (zerorpc-python 0.6) has no CURVE option of its own.
public struct CurveServerSecurity: Sendable, Equatable {
    public var keyPair: CurveKeyPair
    /// Directory of `*.key` public certificates of the clients allowed in; nil allows any client
    /// that knows the server's public key.
    public var clientKeysDirectory: String?

    public init(keyPair: CurveKeyPair, clientKeysDirectory: String? = nil) {
        self.keyPair = keyPair
        self.clientKeysDirectory = clientKeysDirectory
    }
}
