import Foundation
import MessagePack
import Synchronization

/// Where call results and the stop request wait for the I/O thread, which alone may touch the
/// sockets. Posting writes a byte to a pipe the I/O thread polls, so it wakes at once.
final class Mailbox: Sendable {
    enum Outcome: Sendable {
        case ok(MessagePackValue)
        case error(ZeroRPCError)
    }

    struct Reply: Sendable {
        let channel: ChannelKey
        let outcome: Outcome
    }

    private struct State {
        var replies: [Reply] = []
        var stopRequested = false
    }

    private let state = Mutex(State())
    let wakeReadFD: Int32
    private let wakeWriteFD: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 {
            fatalError("zerorpc: cannot create the wake-up pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakeReadFD = fds[0]
        wakeWriteFD = fds[1]
    }

    deinit {
        close(wakeReadFD)
        close(wakeWriteFD)
    }

    func post(_ reply: Reply) {
        state.withLock { $0.replies.append(reply) }
        wake()
    }

    func requestStop() {
        state.withLock { $0.stopRequested = true }
        wake()
    }

    /// Everything posted since the last call, and whether a stop was requested.
    func take() -> (replies: [Reply], stopRequested: Bool) {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeReadFD, &buffer, buffer.count) > 0 {}
        return state.withLock { state in
            defer { state.replies.removeAll(keepingCapacity: true) }
            return (state.replies, state.stopRequested)
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriteFD, &byte, 1)  // a full pipe already means "wake up"
    }
}

/// A channel is one call: the routing envelope of the caller and the id of its request.
struct ChannelKey: Hashable, Sendable {
    let envelope: [[UInt8]]
    let id: MessagePackValue
}
