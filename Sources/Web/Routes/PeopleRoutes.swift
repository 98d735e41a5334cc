import Foundation
import Hummingbird
import Sink
import ZMFaceCore

extension WebAPI {
    struct Photo: Encodable {
        var file: String
        var url: String
    }

    func addPeopleRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/people") { _, _ -> Response in
            JSONBody.response(
                "{\"people\":" + (try await library.people(trainingPhotos: dataset?.people() ?? [:])) + "}")
        }
        router.get("/api/people/{name}") { request, context -> Response in
            let person = try personParameter(context)
            let photos = dataset?.photos(of: person) ?? []
            let known = try await library.knows(person: person.value)
            guard known || dataset?.people()[person.value] != nil else {
                throw APIError(.notFound, "nobody is called \(person.value)")
            }
            let listed = photos.map { Photo(file: $0, url: Self.photoURL(person, $0)) }
            let encoded = String(decoding: try JSONEncoder().encode(listed), as: UTF8.self)
            return JSONBody.response(
                try await library.personFaces(
                    person.value, photos: encoded, limit: try request.query("limit", in: Self.pageSizes) ?? 50,
                    offset: try request.query("offset", in: 0...Int(Int32.max)) ?? 0))
        }
        router.post("/api/people/{name}/rename") { request, context -> Response in
            let old = try personParameter(context)
            let new = try Self.personName(try await JSONBody.decode(NameBody.self, from: request).name)
            guard old != new else { throw APIError(.badRequest, "the new name is the old one") }
            let dataset = dataset
            let known = try await library.knows(person: old.value)
            guard known || dataset?.people()[old.value] != nil else {
                throw APIError(.notFound, "nobody is called \(old.value)")
            }
            do {
                let faces = try await library.renamePerson(old.value, to: new.value) {
                    try dataset?.rename(old, to: new)
                }
                return try JSONBody.response(ChangeResult(faces: faces, name: new.value))
            } catch let failure as Dataset.Failure {
                if case .exists = failure { throw APIError(.conflict, failure.description) }
                throw APIError(.internalServerError, failure.description)
            }
        }
        router.get("/api/people/{name}/photos/{file}") { _, context -> Response in
            let (person, file) = try photoParameters(context)
            guard let path = try requireDataset().photoPath(person, file) else {
                throw APIError(.notFound, "no photo \(file.value) of \(person.value)")
            }
            return try await serveFile(path, context: context)
        }
        router.post("/api/people/{name}/photos/{file}/delete") { _, context -> Response in
            let (person, file) = try photoParameters(context)
            let dataset = try requireDataset()
            guard dataset.photoPath(person, file) != nil else {
                throw APIError(.notFound, "no photo \(file.value) of \(person.value)")
            }
            // An exported face stays out of the next export only if it is no longer labelled so.
            if let face = file.exportedFace.flatMap({ FaceKey($0) }) {
                try await library.unlabel(face, ifLabelled: person.value)
            }
            do {
                try dataset.deletePhoto(person, file)
            } catch {
                throw APIError(.internalServerError, "\(error)")
            }
            return try JSONBody.response(ChangeResult(name: person.value))
        }
    }

    static func photoURL(_ person: PersonName, _ file: String) -> String {
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))
        return "/api/people/\(person.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")/photos/"
            + (file.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
    }

    /// The `{name}` of a person route; 404 for a name no person can have.
    func personParameter(_ context: BasicRequestContext) throws -> PersonName {
        let text = context.text("name")
        guard let name = try? PersonName(validating: text) else {
            throw APIError(.notFound, "nobody is called \(text)")
        }
        return name
    }

    func photoParameters(_ context: BasicRequestContext) throws -> (PersonName, DatasetFileName) {
        let person = try personParameter(context)
        let text = context.text("file")
        guard let file = DatasetFileName(text) else { throw APIError(.notFound, "no photo \(text) of \(person.value)") }
        return (person, file)
    }
}
