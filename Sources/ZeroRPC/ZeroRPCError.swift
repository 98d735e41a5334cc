/// An error a method reports to the caller: zerorpc's `ERR [name, message, traceback]`. zerorpc-python
/// raises it as `RemoteError(name, message, traceback)`; the node client passes it to the callback.
public struct ZeroRPCError: Error, Equatable, CustomStringConvertible {
    public var name: String
    public var message: String
    public var traceback: String

    public init(name: String, message: String, traceback: String = "") {
        self.name = name
        self.message = message
        self.traceback = traceback
    }

    public var description: String { "\(name): \(message)" }

    /// Any Swift error as a remote error: ZeroRPCError as is, others named after their type.
    public init(wrapping error: any Error) {
        if let remote = error as? ZeroRPCError {
            self = remote
        } else {
            self.init(name: String(describing: type(of: error)), message: String(describing: error))
        }
    }
}
