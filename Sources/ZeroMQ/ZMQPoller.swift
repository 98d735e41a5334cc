internal import CZmq

/// Waits on several sockets and plain file descriptors at once (zmq_poll).
public struct ZMQPoller {
    public enum Item {
        case socket(ZMQSocket)
        case fileDescriptor(Int32)
    }

    private var items: [zmq_pollitem_t]

    public init(_ watched: [Item]) {
        items = watched.map { item in
            switch item {
            case .socket(let socket):
                zmq_pollitem_t(socket: socket.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0)
            case .fileDescriptor(let fd):
                zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0)
            }
        }
    }

    /// Blocks up to `timeoutMilliseconds` (-1: forever) and returns which items are readable, in the
    /// order given to `init`. EINTR counts as "nothing ready".
    public mutating func poll(timeoutMilliseconds: Int) throws(ZMQError) -> [Bool] {
        let count = items.count
        let status = items.withUnsafeMutableBufferPointer {
            zmq_poll($0.baseAddress, Int32(count), timeoutMilliseconds)
        }
        if status < 0 {
            let error = ZMQError("zmq_poll")
            if error.code == EINTR { return Array(repeating: false, count: count) }
            throw error
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
