extension ZMQSocket {
    /// Binds `endpoints` under `security` and returns them as bound (with the ports chosen for
    /// `tcp://…:*`). Each endpoint first passes `EndpointPolicy` (exposure, stale ipc files). Binding
    /// goes in two rounds: first every endpoint that is not tcp, then, once the socket is a CURVE
    /// server, the tcp ones. libzmq copies the options into each listener as it binds, so ipc stays
    /// plain and tcp is encrypted.
    public func bind(_ endpoints: [String], security: ServerSocketSecurity) throws -> [String] {
        let isTCP = { (endpoint: String) in endpoint.hasPrefix("tcp://") }
        let curve = security.curve
        let ordered = curve == nil ? endpoints : endpoints.filter { !isTCP($0) } + endpoints.filter(isTCP)
        var bound: [String] = []
        var curveApplied = false
        for endpoint in ordered {
            try EndpointPolicy.checkExposure(endpoint, allowRemote: security.allowRemote)
            try EndpointPolicy.prepareIPC(endpoint)
            if let curve, isTCP(endpoint), !curveApplied {
                try setCurveServer(curve.keyPair)
                curveApplied = true
            }
            try bind(endpoint)
            bound.append(lastEndpoint)
            try security.ipcPermissions.apply(toBound: lastEndpoint)
        }
        return bound
    }
}
