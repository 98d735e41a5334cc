import Foundation
import Recognition
import Testing
import Workers
import ZMFaceCore

@testable import zmface

/// The migration warning: a configured minProba (worker.json's classifier.minProba, or the original
/// config.json's 0.9) is honoured, but when the model's own calibration says it names far fewer
/// known faces than the model's chosen rule, the server says so with both figures.
@Suite struct MinProbaWarningTests {
    func model(calibration: OperatingPointEstimate?) -> FaceClassifierModel {
        let encodings = [
            FaceEncoding([Float](repeating: 0.1, count: 128))!, FaceEncoding([Float](repeating: -0.1, count: 128))!,
        ]
        var model = FaceClassifierModel(
            kind: .knn, classes: ["ann", "bob"], encoder: .init(detector: "hog", upsample: 1, jitters: 1),
            openSet: .init(minProba: 0.35, maxDistance: 0.5, minMargin: 0.1), zmfaceVersion: "test",
            createdAt: "2026-11-30T00:00:00Z", referenceLabels: [0, 1],
            referenceEncodings: FaceClassifierModel.packEncodings(encodings), knn: KNNModel(k: 1))
        model.calibration = calibration
        return model
    }

    static let estimate = OperatingPointEstimate(
        method: "cross-validation", note: "chosen", targetStrangerAcceptance: 0.01, knownFaces: 100,
        strangerFaces: 80, namedCorrectly: 0.92, namedWrongly: 0.01, notNamed: 0.07, strangersNamed: 0.01,
        byMinProba: [
            .init(minProba: 0, namedCorrectly: 0.95, strangersNamed: 0.05),
            .init(minProba: 0.35, namedCorrectly: 0.92, strangersNamed: 0.01),
            .init(minProba: 0.6, namedCorrectly: 0.85, strangersNamed: 0),
            .init(minProba: 0.9, namedCorrectly: 0.04, strangersNamed: 0),
        ])

    @Test("The original's 0.9 against a model calibrated at 0.35 warns with both coverages")
    func warns() throws {
        let warning = try #require(ReloadableClassifier.minProbaCost(of: 0.9, for: model(calibration: Self.estimate)))
        #expect(warning.contains("minProba 0.90 names about 4%"))
        #expect(warning.contains("own minProba 0.35 about 92%"))
    }

    @Test("No warning when the configured value costs little, is lower, or the model has no calibration")
    func quiet() {
        #expect(ReloadableClassifier.minProbaCost(of: 0.6, for: model(calibration: Self.estimate)) == nil)
        #expect(ReloadableClassifier.minProbaCost(of: 0.2, for: model(calibration: Self.estimate)) == nil)
        #expect(ReloadableClassifier.minProbaCost(of: 0.9, for: model(calibration: nil)) == nil)
    }
}

/// Which PostgreSQL URL wins: `--database` (as its help says), then ZMFACE_DATABASE_URL, then
/// worker.json's postgres.url.
@Suite struct PostgresURLPrecedenceTests {
    @Test("--database beats the environment, which beats postgres.url")
    func precedence() {
        var settings = ServerConfiguration()
        settings.postgresURL = "postgresql:///from-file"
        let environment = ["ZMFACE_DATABASE_URL": "postgresql:///from-env"]
        #expect(settings.resolvedPostgresURL(environment: [:]) == "postgresql:///from-file")
        #expect(settings.resolvedPostgresURL(environment: environment) == "postgresql:///from-env")
        settings.postgresURLOverride = "postgresql:///from-flag"
        #expect(settings.resolvedPostgresURL(environment: environment) == "postgresql:///from-flag")
    }
}
