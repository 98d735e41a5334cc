import Hummingbird
import Logging
import Sink
import Testing
import Web

/// The OpenAPI file is the API's reference: every route the server answers is in it, and every
/// path and method in it is a route the server answers.
@Suite("OpenAPI file and router")
struct OpenAPITests {
    /// `METHOD /path/{param}` for every operation under `paths:` (the file's own indentation:
    /// paths at two spaces, methods at four).
    static func documentedOperations(_ yaml: String) -> Set<String> {
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  "), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if ["get", "post", "put", "delete", "patch", "head"].contains(String(key)) {
                    operations.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    @Test("Routes and documented operations are the same set")
    func routesMatchTheFile() {
        let library = FaceLibrary(conninfo: "postgresql://nobody@127.0.0.1:1/none")  // never connected
        defer { library.close() }
        let api = WebAPI(
            settings: WebSettings(host: "127.0.0.1", port: 0), library: library, recognition: nil, trainer: nil,
            assets: nil, logger: Logger(label: "test"))
        let routes = Set(api.router().routes.map { "\($0.method) \($0.path)" })
        let documented = Self.documentedOperations(WebAPI.openAPIDocument)
        #expect(routes.count >= 20)
        #expect(routes.subtracting(documented).isEmpty, "routes missing from openapi.yaml")
        #expect(documented.subtracting(routes).isEmpty, "documented operations the server does not answer")
    }

    @Test("The parser sees every operation of a small document")
    func parserSeesOperations() {
        let yaml = """
            openapi: 3.0.3
            paths:
              /a/{id}:
                get:
                  summary: x
                post:
                  parameters: []
              /b:
                get: {}
            components:
              schemas:
                get:
                  type: object
            """
        #expect(Self.documentedOperations(yaml) == ["GET /a/{id}", "POST /a/{id}", "GET /b"])
    }
}
