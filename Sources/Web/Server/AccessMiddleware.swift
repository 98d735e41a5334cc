import Foundation
import HTTPTypes
import Hummingbird

/// Who may use the page. With a token: every request must carry it (`Authorization: Bearer
/// <token>`, or HTTP basic with the token as password, which browsers prompt for). Without one
/// (allowed on loopback only): the `Host` must be a loopback name, so a web page the user visits
/// cannot reach the API through DNS rebinding. Either way, a state change (anything but GET/HEAD)
/// coming from another site's page (`Origin` or `Sec-Fetch-Site`) is refused, so no form or script
/// elsewhere can act with the user's browser.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let host = request.head.authority ?? ""
        if let token {
            guard let presented = Self.presentedToken(request.headers[.authorization]),
                Self.constantTimeEqual(presented, token)
            else {
                var error = APIError(.unauthorized, "a token is required: Authorization: Bearer <token>")
                error.headers[.wwwAuthenticate] = "Basic realm=\"zmface\", charset=\"UTF-8\""
                throw error
            }
        } else if !Self.isLoopback(host: host) {
            throw APIError(.forbidden, "host \(host) refused: without web.token the page answers loopback names only")
        }
        if request.method != .get && request.method != .head {
            if let origin = request.headers[.origin], origin != "http://\(host)", origin != "https://\(host)" {
                throw APIError(.forbidden, "cross-site request refused (Origin \(origin))")
            }
            if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site == "cross-site" {
                throw APIError(.forbidden, "cross-site request refused")
            }
        }
        return try await next(request, context)
    }

    /// The token of a Bearer or Basic (password part) authorization header.
    static func presentedToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        switch parts[0].lowercased() {
        case "bearer": return String(parts[1]).trimmingCharacters(in: .whitespaces)
        case "basic":
            guard let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
                let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
            else { return nil }
            return String(text[text.index(after: colon)...])
        default: return nil
        }
    }

    /// Compares without an early exit, so the time taken says nothing about how much matched.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }

    /// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
    static func isLoopback(host: String) -> Bool {
        var name = Substring(host)
        if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
            name = name[name.index(after: name.startIndex)..<close]
            return name == "::1"
        }
        if let colon = name.lastIndex(of: ":") { name = name[..<colon] }
        return name == "localhost" || name.hasPrefix("127.")
    }
}
