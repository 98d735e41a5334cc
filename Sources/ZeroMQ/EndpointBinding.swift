extension ZMQSocket {
    /// Binds `endpoints` and returns them as bound (with the ports chosen for `tcp://…:*`), in two
    /// rounds: first every endpoint that is not tcp, then, once the socket is a CURVE server, the tcp
    /// ones. libzmq copies the options into each listener as it binds, so ipc stays plain and tcp
    /// is encrypted. `check` runs before each bind (exposure rules, stale ipc files).
    public func bind(
        _ endpoints: [String], curve: CurveServerSecurity?, ipcPermissions: IPCPermissions,
        check: (String) throws -> Void = { _ in }
    ) throws -> [String] {
        let isTCP = { (endpoint: String) in endpoint.hasPrefix("tcp://") }
        let ordered = curve == nil ? endpoints : endpoints.filter { !isTCP($0) } + endpoints.filter(isTCP)
        var bound: [String] = []
        var curveApplied = false
        for endpoint in ordered {
            try check(endpoint)
            if let curve, isTCP(endpoint), !curveApplied {
                try setCurveServer(curve.keyPair)
                curveApplied = true
            }
            try bind(endpoint)
            bound.append(lastEndpoint)
            try ipcPermissions.apply(toBound: lastEndpoint)
        }
        return bound
    }
}
