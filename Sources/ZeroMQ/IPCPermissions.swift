public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Who may connect to the `ipc://` sockets zmface binds: connecting to a unix socket needs write
/// permission on its file, so the mode and group decide it (worker.json `ipc`).
public struct IPCPermissions: Sendable, Equatable {
    /// Default 0660: the owner and its group, nobody else.
    public var mode: mode_t
    /// A group name, e.g. the one the ZoneMinder uploader runs in; nil keeps the process's group.
    public var group: String?

    public init(mode: mode_t = 0o660, group: String? = nil) {
        self.mode = mode
        self.group = group
    }

    /// Applies the mode and group to the socket file of an `ipc://` endpoint just bound; other
    /// endpoints are left alone. The socket exists with the umask's mode for the moment between
    /// bind and this call (with the usual 022 umask, more restrictive, not less).
    public func apply(toBound endpoint: String) throws(ZMQError) {
        guard endpoint.hasPrefix("ipc://") else { return }
        let path = String(endpoint.dropFirst("ipc://".count))
        if let group {
            guard let entry = getgrnam(group) else {
                throw ZMQError(message: "ipc group '\(group)' does not exist")
            }
            guard chown(path, uid_t.max, entry.pointee.gr_gid) == 0 else {
                throw ZMQError(message: "cannot give \(path) to group '\(group)': \(String(cString: strerror(errno)))")
            }
        }
        guard chmod(path, mode) == 0 else {
            throw ZMQError(
                message: "cannot set mode \(String(mode, radix: 8)) on \(path): \(String(cString: strerror(errno)))")
        }
    }
}
