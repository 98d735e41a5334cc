import Hummingbird
import Sink
import ZMFaceCore

extension WebAPI {
    /// `{"name": "bob"}` ("this is bob") or `{"stranger": true}` ("not this person").
    struct CorrectionBody: Decodable {
        var name: String?
        var stranger: Bool?
    }

    func addFaceRoutes(to router: Router<BasicRequestContext>) {
        router.post("/api/faces/{id}/correct") { request, context -> Response in
            let face = try faceParameter(context)
            let body = try await JSONBody.decode(CorrectionBody.self, from: request)
            let person: PersonName?
            switch (body.name, body.stranger ?? false) {
            case (let name?, false): person = try Self.personName(name)
            case (nil, true): person = nil
            default: throw APIError(.badRequest, "give either {\"name\": \"...\"} or {\"stranger\": true}")
            }
            try await library.correctFace(face, person: person?.value)
            return try JSONBody.response(ChangeResult(name: person?.value, face: face.description))
        }
        router.post("/api/faces/{id}/clear") { _, context -> Response in
            let face = try faceParameter(context)
            try await library.clearFace(face)
            return try JSONBody.response(ChangeResult(face: face.description))
        }
    }

    func faceParameter(_ context: BasicRequestContext) throws -> FaceKey {
        let text = context.text("id")
        guard let face = FaceKey(text) else { throw APIError(.notFound, "face \"\(text)\" does not exist") }
        return face
    }
}
