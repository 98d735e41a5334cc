import Hummingbird
import Logging
public import ServiceLifecycle

/// The faces page's HTTP server as a lifecycle service of `serve` and `ingest`.
public struct WebService: Service {
    let api: WebAPI

    public init(api: WebAPI) {
        self.api = api
    }

    public func run() async throws {
        let (settings, logger) = (api.settings, api.logger)
        try await api.library.migrate()
        let application = Application(
            router: api.router(),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "zmface"),
            onServerRunning: { channel in
                logger.info(
                    "faces page listening",
                    metadata: [
                        "address": "\(channel.localAddress?.description ?? "?")",
                        "token": "\(settings.token == nil ? "none (loopback only)" : "required")",
                    ])
            }, logger: logger)
        // run(), not runService(): see MetricsService (the server's own signal handling stays in charge).
        try await withGracefulShutdownHandler {
            try await application.run()
        } onGracefulShutdown: {
            if let trainer = api.trainer { Task { await trainer.cancel() } }
        }
        api.library.close()
    }
}
