import Foundation
import Hummingbird
import Sink
import ZMFaceCore

extension WebAPI {
    struct NameBody: Decodable { var name: String }
    struct MergeBody: Decodable {
        var into: Int64
        var from: [Int64]
    }
    struct SplitBody: Decodable { var faces: [String] }

    /// What a state change did (only the fields that apply are present).
    struct ChangeResult: Encodable {
        var ok = true
        var cluster: Int64?
        var newCluster: Int64?
        var faces: Int?
        var name: String?
        var cropsRemoved: Int?
        var face: String?
    }

    func addClusterRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/clusters") { request, _ -> Response in
            let state = request.uri.queryParameters.get("state").map { String($0) } ?? "open"
            guard ["open", "named", "ignored"].contains(state) else {
                throw APIError(.badRequest, "state must be open, named or ignored")
            }
            return JSONBody.response(
                try await library.clusters(
                    state: state, limit: try request.query("limit", in: Self.pageSizes) ?? 50,
                    offset: try request.query("offset", in: 0...Int(Int32.max)) ?? 0))
        }
        router.get("/api/clusters/{id}/faces") { request, context -> Response in
            JSONBody.response(
                try await library.clusterFaces(
                    try context.id("id", what: "cluster"), limit: try request.query("limit", in: Self.pageSizes) ?? 100,
                    offset: try request.query("offset", in: 0...Int(Int32.max)) ?? 0))
        }
        router.post("/api/clusters/{id}/label") { request, context -> Response in
            let id = try context.id("id", what: "cluster")
            let name = try Self.personName(try await JSONBody.decode(NameBody.self, from: request).name)
            let faces = try await library.labelCluster(id, name: name.value)
            return try JSONBody.response(ChangeResult(cluster: id, faces: faces, name: name.value))
        }
        router.post("/api/clusters/merge") { request, _ -> Response in
            let body = try await JSONBody.decode(MergeBody.self, from: request)
            let faces = try await library.mergeClusters(into: body.into, from: body.from)
            return try JSONBody.response(ChangeResult(cluster: body.into, faces: faces))
        }
        router.post("/api/clusters/{id}/split") { request, context -> Response in
            let id = try context.id("id", what: "cluster")
            let body = try await JSONBody.decode(SplitBody.self, from: request)
            let faces = try body.faces.map { text in
                guard let face = FaceKey(text) else { throw APIError(.badRequest, "\"\(text)\" is not a face id") }
                return face
            }
            let newID = try await library.splitCluster(id, faces: faces)
            return try JSONBody.response(ChangeResult(cluster: id, newCluster: newID, faces: faces.count))
        }
        router.post("/api/clusters/{id}/ignore") { _, context -> Response in
            let id = try context.id("id", what: "cluster")
            let faces = try await library.ignoreCluster(id)
            return try JSONBody.response(ChangeResult(cluster: id, faces: faces))
        }
        router.post("/api/clusters/{id}/delete") { _, context -> Response in
            let id = try context.id("id", what: "cluster")
            let crops = try await library.deleteCluster(id)
            let removed = removeCrops(crops)
            return try JSONBody.response(ChangeResult(cluster: id, cropsRemoved: removed))
        }
    }

    /// Deletes the crop files the database named (only names of the crops writer's form), and
    /// their event folders once empty. Returns how many were removed.
    func removeCrops(_ crops: [String]) -> Int {
        settings.cropsPath.map { FaceCropFiles(root: $0).remove(crops) } ?? 0
    }

    static func personName(_ text: String) throws -> PersonName {
        do {
            return try PersonName(validating: text)
        } catch {
            throw APIError(.unprocessableContent, error.description)
        }
    }
}
