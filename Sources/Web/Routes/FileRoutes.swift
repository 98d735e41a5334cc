import Foundation
import Hummingbird

extension WebAPI {
    func addFileRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/openapi.yaml") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: Self.openAPIDocument)))
        }
        router.get("/crops/{event}/{file}") { _, context -> Response in
            let (event, file) = (context.parameters.get("event") ?? "", context.parameters.get("file") ?? "")
            guard let name = CropName(event: event, file: file) else {
                throw APIError(.notFound, "no such crop (crops are /crops/<event>/<frame>-<face>.jpg)")
            }
            guard let root = settings.cropsPath else {
                throw APIError(.notFound, "crops are not kept (faces.cropsPath)")
            }
            guard let path = Self.contained(root + "/" + name.relativePath, in: root) else {
                throw APIError(.notFound, "crop \(name.relativePath) does not exist")
            }
            return try await serveFile(path, context: context, cache: "private, max-age=3600")
        }
        router.get("/") { _, context -> Response in
            try await serveAsset("index.html", context: context)
        }
        router.get("/{file}") { _, context -> Response in
            try await serveAsset(context.parameters.get("file") ?? "", context: context)
        }
    }

    /// One file of the page's folder (flat: the page has no sub-folders).
    private func serveAsset(_ file: String, context: BasicRequestContext) async throws -> Response {
        guard let assets else { throw APIError(.notFound, "the page's files were not found (web.assetsPath)") }
        guard let path = assets.path(of: file) else { throw APIError(.notFound, "no such page or file: /\(file)") }
        return try await serveFile(path, context: context, cache: "no-cache")
    }

    /// A file's content with its type, read on Hummingbird's file thread pool.
    func serveFile(_ path: String, context: BasicRequestContext, cache: String = "no-store") async throws -> Response {
        let body: ResponseBody
        do {
            body = try await FileIO().loadFile(path: path, context: context)
        } catch {
            throw APIError(.notFound, "\(URL(fileURLWithPath: path).lastPathComponent) does not exist")
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: Self.contentType(path), .cacheControl: cache,
                .init("X-Content-Type-Options")!: "nosniff",
            ], body: body)
    }

    /// The path when it is a regular file that really lies inside `root` (symbolic links resolved).
    static func contained(_ path: String, in root: String) -> String? {
        let base = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard resolved.hasPrefix(base + "/") else { return nil }
        let attributes = try? FileManager.default.attributesOfItem(atPath: resolved)
        return attributes?[.type] as? FileAttributeType == .typeRegular ? resolved : nil
    }

    static func contentType(_ path: String) -> String {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json", "webmanifest": "application/json"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "webp": "image/webp"
        case "bmp": "image/bmp"
        case "ico": "image/x-icon"
        case "woff2": "font/woff2"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    /// The OpenAPI description compiled into the binary (Sources/Web/openapi.yaml).
    public static var openAPIDocument: String {
        String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
    }
}
