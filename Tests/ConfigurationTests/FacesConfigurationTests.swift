import Foundation
import Recognition
import Testing

@testable import zmface

/// worker.json's `faces` section: defaults, every field, and a clear error for each mistake.
@Suite("faces configuration")
struct FacesConfigurationTests {
    func parse(_ faces: String) throws(ConfigurationError) -> FacesConfiguration {
        try ServerConfiguration.fromWorkerJSON(try! JSONValue.parse(Data("{\"faces\": \(faces)}".utf8))).faces
    }

    @Test("without the section: no crops, the measured clustering distance and the documented defaults")
    func defaults() throws {
        let faces = try ServerConfiguration.fromWorkerJSON(JSONValue.parse(Data("{}".utf8))).faces
        #expect(faces.cropsPath == nil && faces.keep == .all && faces.datasetPath == nil)
        #expect(faces.cluster.distance == 0.5 && faces.cluster.minFaces == 3 && faces.clusterIntervalSeconds == 10)
        #expect(faces.clusterMaxWaitDays == 30 && faces.clusterMaxWait == .seconds(30 * 86_400))
        #expect(faces.retention.unknownDays == 7 && faces.retention.namedDays == 30)
        #expect(faces.retention.maxCrops == 100_000 && faces.retentionIntervalSeconds == 3600)
    }

    @Test("every field is read")
    func everyField() throws {
        let faces = try parse(
            """
            {"cropsPath": "/srv/crops", "keep": "unknown", "datasetPath": "/srv/dataset",
             "retention": {"unknownDays": 1.5, "namedDays": 2, "maxCrops": 10, "intervalSeconds": 60},
             "cluster": {"distance": 0.45, "minFaces": 4, "intervalSeconds": 2, "maxWaitDays": 0.5}}
            """)
        #expect(faces.cropsPath == "/srv/crops" && faces.keep == .unknown && faces.datasetPath == "/srv/dataset")
        #expect(faces.retention.unknownDays == 1.5 && faces.retention.namedDays == 2 && faces.retention.maxCrops == 10)
        #expect(faces.retentionIntervalSeconds == 60 && faces.clusterIntervalSeconds == 2)
        #expect(faces.cluster == .init(distance: 0.45, minFaces: 4))
        #expect(faces.clusterMaxWaitDays == 0.5 && faces.clusterMaxWait == .seconds(43_200))
        #expect(try parse(#"{"cluster": {"maxWaitDays": 0}}"#).clusterMaxWait == nil, "0: faces wait forever")
        #expect(try parse(#"{"keep": "none"}"#).keep == .none)
    }

    @Test(
        "mistakes name the field",
        arguments: [
            (#"{"keep": "some"}"#, "'faces.keep' must be \"all\", \"unknown\" or \"none\""),
            (#"{"cropsPath": ""}"#, "'faces.cropsPath' must be a folder path"),
            (#"{"crops": "/x"}"#, "'faces.crops' is not a known setting"),
            (#"{"cluster": {"distance": 3}}"#, "'faces.cluster.distance' must be between"),
            (#"{"cluster": {"minFaces": 0}}"#, "'faces.cluster.minFaces' must be between"),
            (#"{"cluster": {"size": 1}}"#, "'faces.cluster.size' is not a known setting"),
            (#"{"cluster": {"maxWaitDays": -1}}"#, "'faces.cluster.maxWaitDays' must be between"),
            (#"{"retention": {"unknownDays": -1}}"#, "'faces.retention.unknownDays' must be between"),
            (#"{"retention": {"maxCrops": 1.5}}"#, "'faces.retention.maxCrops' must be an integer"),
            (#"{"retention": {"intervalSeconds": 0}}"#, "'faces.retention.intervalSeconds' must be between"),
        ])
    func mistakes(_ faces: String, _ expected: String) {
        do {
            _ = try parse(faces)
            Issue.record("accepted \(faces)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
