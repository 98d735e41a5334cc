import Foundation
import Hummingbird

/// JSON in and out of the API's handlers.
enum JSONBody {
    /// Largest JSON request body (names and id lists; a split of thousands of faces fits).
    static let maxBytes = 1 << 20

    /// A response whose body is JSON text made elsewhere (PostgreSQL builds the read answers).
    static func response(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return response(String(decoding: try encoder.encode(value), as: UTF8.self), status: status)
    }

    /// The request's JSON body as `T`; 415 unless it says it is JSON (which also keeps other sites'
    /// plain forms out), 400 with the reason when it does not decode.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        guard let contentType = request.headers[.contentType],
            contentType.lowercased().hasPrefix("application/json")
        else { throw APIError(.unsupportedMediaType, "the body must be JSON (Content-Type: application/json)") }
        var request = request
        let buffer = try await request.collectBody(upTo: maxBytes)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError(.badRequest, "the body lacks \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            throw APIError(.badRequest, "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw APIError(.badRequest, "the body is not valid JSON for this request")
        }
    }
}

extension Request {
    /// An integer query parameter within `range` (nil when absent); 400 otherwise.
    func query(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = uri.queryParameters.get(name), !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError(.badRequest, "\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}

extension RequestContext {
    /// A path parameter that must be a positive id; 404 otherwise (no such thing can exist).
    func id(_ name: String, what: String) throws -> Int64 {
        let text = parameters.get(name) ?? ""
        guard let value = Int64(text), value > 0 else {
            throw APIError(.notFound, "\(what) \"\(text)\" does not exist")
        }
        return value
    }

    /// A path parameter, percent-decoded.
    func text(_ name: String) -> String {
        let raw = parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }
}
