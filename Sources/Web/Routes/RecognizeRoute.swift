import FaceAPI
import Foundation
import Hummingbird
import Workers

extension WebAPI {
    func addRecognizeRoute(to router: Router<BasicRequestContext>) {
        router.post("/api/recognize") { request, _ -> Response in
            guard let recognition else { throw APIError(.serviceUnavailable, "recognition is not available here") }
            let limit = settings.maxUploadBytes
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
                throw APIError(.contentTooLarge, "the image is \(length) bytes, above the \(limit)-byte limit")
            }
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: limit)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                throw APIError(.contentTooLarge, "the image is above the \(limit)-byte limit")
            }
            do {
                return JSONBody.response(try await recognition.recognizeImage(Data(buffer: buffer), name: "upload"))
            } catch let error as ImageDecodingError {
                switch error {
                case .fileTooLarge, .tooManyPixels: throw APIError(.contentTooLarge, error.description)
                case .notAnImage, .unsupportedFormat: throw APIError(.unsupportedMediaType, error.description)
                default: throw APIError(.unprocessableContent, error.description)
                }
            } catch let error as DetectFacesError {
                throw APIError(.serviceUnavailable, error.message)
            }
        }
    }
}
