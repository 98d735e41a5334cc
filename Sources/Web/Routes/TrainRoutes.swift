import Hummingbird

extension WebAPI {
    struct TrainBody: Decodable { var relabelDays: Double? }

    func addTrainRoutes(to router: Router<BasicRequestContext>) {
        router.post("/api/train") { request, _ -> Response in
            guard let trainer else { throw APIError(.conflict, TrainJob.Status.unavailable.message) }
            let days = try await JSONBody.decode(TrainBody.self, from: request).relabelDays ?? 0
            guard days >= 0, days <= 3650 else { throw APIError(.badRequest, "relabelDays must be 0...3650") }
            do {
                return try JSONBody.response(try await trainer.start(relabelDays: days), status: .accepted)
            } catch let refusal as TrainJob.Refusal {
                throw APIError(.conflict, refusal.description)
            }
        }
        router.get("/api/train/status") { _, _ -> Response in
            guard let trainer else { return try JSONBody.response(TrainJob.Status.unavailable) }
            return try JSONBody.response(await trainer.status)
        }
    }
}
