public import FaceAPI
public import Hummingbird
public import Logging
public import Sink

/// The faces page's HTTP surface: every route of `openapi.yaml` on one router, behind the access
/// and error middleware. Built by `WebService`, and by the tests that compare it with the OpenAPI file.
public struct WebAPI: Sendable {
    public let settings: WebSettings
    public let library: FaceLibrary
    /// The server's recognition (for `/api/recognize`), with the upload limits; nil: not offered.
    public let recognition: DetectFacesService?
    public let trainer: TrainJob?
    public let assets: WebAssets?
    public let logger: Logger
    let dataset: Dataset?

    public init(
        settings: WebSettings, library: FaceLibrary, recognition: DetectFacesService?, trainer: TrainJob?,
        assets: WebAssets?, logger: Logger
    ) {
        self.settings = settings
        self.library = library
        self.recognition = recognition
        self.trainer = trainer
        self.assets = assets
        self.logger = logger
        self.dataset = settings.datasetPath.map { Dataset(root: $0) }
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware(logger: logger))
        router.add(middleware: AccessMiddleware(token: settings.token))
        addEventRoutes(to: router)
        addClusterRoutes(to: router)
        addPeopleRoutes(to: router)
        addFaceRoutes(to: router)
        addTrainRoutes(to: router)
        addRecognizeRoute(to: router)
        addFileRoutes(to: router)
        return router
    }

    /// Paging limits shared by the list routes.
    static let pageSizes = 1...500

    var zoneminderURL: String? {
        settings.zoneminderURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// The dataset folder, or 409 when `faces.datasetPath` is not set.
    func requireDataset() throws -> Dataset {
        guard let dataset else { throw APIError(.conflict, "faces.datasetPath is not set in the configuration") }
        return dataset
    }
}
