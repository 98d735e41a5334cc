public import MessagePack

/// One method a zerorpc server exposes: what introspection reports about it, and the code that runs it.
public struct ZeroRPCMethod: Sendable {
    public typealias Handler = @Sendable (_ arguments: [MessagePackValue]) async throws -> MessagePackValue

    public let name: String
    /// Positional argument names, as `_zerorpc_inspect` and `_zerorpc_args` report them.
    public let argumentNames: [String]
    public let documentation: String?
    public let handler: Handler

    public init(name: String, argumentNames: [String], documentation: String?, handler: @escaping Handler) {
        self.name = name
        self.argumentNames = argumentNames
        self.documentation = documentation
        self.handler = handler
    }
}
