internal import CZmq
import Foundation

/// A libzmq failure, with zmq_strerror's text.
public struct ZMQError: Error, Equatable, CustomStringConvertible {
    public let code: Int32
    public let operation: String
    public let message: String

    init(_ operation: String, code: Int32 = zmq_errno()) {
        self.code = code
        self.operation = operation
        self.message = String(cString: zmq_strerror(code))
    }

    /// A failure around a socket that is not libzmq's own (e.g. the ipc file's permissions).
    init(operation: String = "ipc permissions", message: String, code: Int32 = errno) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }

    /// The call would have blocked (non-blocking send or receive).
    public var wouldBlock: Bool { code == EAGAIN }
}
