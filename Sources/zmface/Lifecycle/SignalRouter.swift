import Foundation
import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Turns process signals into lifecycle actions: SIGTERM/SIGINT start the service group's graceful
/// shutdown (repeats while stopping are ignored: draining has bounds of its own), SIGHUP asks the
/// configuration reloader to re-read worker.json and the model.
enum SignalRouter {
    /// Routes until the returned task is cancelled (after the group has finished).
    static func start(
        group: ServiceGroup, reloadRequests: AsyncStream<Void>.Continuation?, logger: Logger
    ) -> Task<Void, Never> {
        let signals = ProcessSignals.watch([SIGTERM, SIGINT, SIGHUP])
        return Task {
            var stopping = false
            for await signal in signals {
                if signal == SIGHUP {
                    reloadRequests?.yield()
                    continue
                }
                logger.info("received \(signal == SIGINT ? "SIGINT" : "SIGTERM"); stopping")
                if !stopping {
                    stopping = true
                    await group.triggerGracefulShutdown()
                }
            }
        }
    }
}
