import Hummingbird
import Logging
import Sink
import Workers

/// Turns every error into `{"error": "..."}` with the status that tells the client what to do:
/// the library's not found / conflict / invalid → 404 / 409 / 400; Hummingbird's own (no route,
/// body too large, bad JSON) keep their status; an unreachable database → 503; anything else is
/// logged and answered 500 without internals.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as FaceLibraryError {
            switch error {
            case .notFound(let message): throw APIError(.notFound, message)
            case .conflict(let message): throw APIError(.conflict, message)
            case .invalid(let message): throw APIError(.badRequest, message)
            }
        } catch let error as HTTPError {
            let message =
                switch error.status {
                case .notFound: "no such page or route: \(request.uri.path)"
                case .contentTooLarge: "the request body is too large"
                case .methodNotAllowed: "\(request.method) is not allowed on \(request.uri.path)"
                default: error.body ?? error.status.reasonPhrase
                }
            throw APIError(error.status, message)
        } catch let error as PostgresError where error.isUnavailable {
            logger.warning("faces page: database unavailable", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "the database is unavailable; try again shortly")
        } catch {
            logger.error(
                "faces page request failed",
                metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.internalServerError, "internal error (see the server's log)")
        }
    }
}
