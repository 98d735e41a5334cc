/// Who may reach a server socket, the same for every socket zmface binds (the zerorpc ROUTER and
/// the PUB socket): tcp beyond loopback only when allowed, the file mode and group of ipc socket
/// files, and CURVE on tcp endpoints.
public struct ServerSocketSecurity: Sendable, Equatable {
    /// tcp endpoints other than loopback are refused unless this is set.
    public var allowRemote: Bool
    /// Mode and group of `ipc://` socket files.
    public var ipcPermissions: IPCPermissions
    /// CURVE on the tcp endpoints; nil: plain.
    public var curve: CurveServerSecurity?

    public init(
        allowRemote: Bool = false, ipcPermissions: IPCPermissions = IPCPermissions(), curve: CurveServerSecurity? = nil
    ) {
        self.allowRemote = allowRemote
        self.ipcPermissions = ipcPermissions
        self.curve = curve
    }
}
