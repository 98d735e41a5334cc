import Foundation

/// Checks done before binding an endpoint: remote exposure and ipc socket files.
public enum EndpointPolicy {
    public enum Violation: Error, Equatable, CustomStringConvertible {
        case unsupported(String)
        case remoteNotAllowed(String)
        case ipcInUse(String)
        case ipcNotASocket(String)
        case ipcPathTooLong(String)

        public var description: String {
            switch self {
            case .unsupported(let endpoint): "endpoint \(endpoint): only ipc:// and tcp:// are supported"
            case .remoteNotAllowed(let endpoint):
                "endpoint \(endpoint) is reachable from other machines; bind 127.0.0.1 or set allowRemote"
            case .ipcInUse(let path): "ipc socket \(path) belongs to a running server; stop it or choose another path"
            case .ipcNotASocket(let path): "ipc path \(path) exists and is not a socket; refusing to remove it"
            case .ipcPathTooLong(let path): "ipc path \(path) is longer than the 107 bytes a Unix socket allows"
            }
        }
    }

    /// tcp endpoints must name a loopback address unless remote access is allowed.
    public static func checkExposure(_ endpoint: String, allowRemote: Bool) throws(Violation) {
        if endpoint.hasPrefix("ipc://") { return }
        guard endpoint.hasPrefix("tcp://") else { throw .unsupported(endpoint) }
        if allowRemote { return }
        let hostAndPort = endpoint.dropFirst("tcp://".count)
        let host: Substring
        if hostAndPort.hasPrefix("["), let close = hostAndPort.firstIndex(of: "]") {
            host = hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close]
        } else {
            host = hostAndPort.split(separator: ":", maxSplits: 1).first ?? ""
        }
        guard host == "localhost" || host == "::1" || host.hasPrefix("127.") else {
            throw .remoteNotAllowed(endpoint)
        }
    }

    /// For `ipc://PATH`: a socket file left by a dead server is removed; one that a live server
    /// answers on is refused, because libzmq would silently steal it from that server.
    public static func prepareIPC(_ endpoint: String) throws(Violation) {
        guard endpoint.hasPrefix("ipc://") else { return }
        let path = String(endpoint.dropFirst("ipc://".count))
        guard path.utf8.count <= 107 else { throw .ipcPathTooLong(path) }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }  // nothing there
        guard status.st_mode & S_IFMT == S_IFSOCK else { throw .ipcNotASocket(path) }
        if socketAnswers(path) { throw .ipcInUse(path) }
        unlink(path)
    }

    private static func socketAnswers(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
