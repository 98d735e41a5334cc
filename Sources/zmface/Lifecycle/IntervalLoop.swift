import ServiceLifecycle

/// The loop of the services that work at an interval (clustering, crop retention, the status
/// message, the memory trim): `body` runs, then a sleep of `interval` that a graceful shutdown or a
/// cancellation cuts short, until one of them comes.
func repeatUntilShutdown(every interval: Duration, _ body: () async throws -> Void) async rethrows {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        try await body()
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
    }
}
