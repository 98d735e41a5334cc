import Hummingbird

extension WebAPI {
    func addEventRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/events") { request, _ -> Response in
            let person = request.uri.queryParameters.get("person").flatMap { $0.isEmpty ? nil : String($0) }
            return JSONBody.response(
                try await library.events(
                    before: try request.query("before", in: 1...Int.max).map(Int64.init),
                    limit: try request.query("limit", in: Self.pageSizes) ?? 50,
                    monitor: try request.query("monitor", in: 1...Int(Int32.max)), person: person,
                    zoneminderURL: zoneminderURL))
        }
        router.get("/api/cameras") { _, _ -> Response in
            JSONBody.response(try await library.cameras())
        }
    }
}
