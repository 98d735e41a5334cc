import Foundation

/// worker.json's `faces` facesSection: face crops, their retention, clustering of unknown faces and the
/// training dataset the faces page writes into.
struct FacesConfiguration: Equatable {
    /// Where crops are written and served from; nil: no crops.
    var cropsPath: String?
    /// all, unknown (only faces the model did not name) or none.
    var keep = "all"
    var retentionUnknownDays = 7.0
    var retentionNamedDays = 30.0
    var retentionMaxCrops = 100_000
    var retentionIntervalSeconds = 3600.0
    var clusterDistance = 0.5
    var clusterMinFaces = 3
    var clusterIntervalSeconds = 10.0
    /// The dataset (one folder per person) the train job exports labelled crops into.
    var datasetPath: String?
}

extension ServerConfiguration {
    mutating func readFacesSection(_ root: inout JSONFields) throws(ConfigurationError) {
        guard var facesSection = try root.object("faces") else { return }
        var faces = FacesConfiguration()
        faces.cropsPath = try facesSection.string("cropsPath")
        faces.datasetPath = try facesSection.string("datasetPath")
        for (key, path) in [("cropsPath", faces.cropsPath), ("datasetPath", faces.datasetPath)] {
            if let path, !path.hasPrefix("/") {
                throw .invalid("faces.\(key)", "must be an absolute path, not \"\(path)\"")
            }
        }
        if let keep = try facesSection.string("keep") {
            guard ["all", "unknown", "none"].contains(keep) else {
                throw .invalid("faces.keep", "must be \"all\", \"unknown\" or \"none\", not \"\(keep)\"")
            }
            faces.keep = keep
        }
        if var retention = try facesSection.object("retention") {
            faces.retentionUnknownDays = try retention.double(
                "unknownDays", default: faces.retentionUnknownDays, in: 0...36500)
            faces.retentionNamedDays = try retention.double(
                "namedDays", default: faces.retentionNamedDays, in: 0...36500)
            faces.retentionMaxCrops = try retention.int(
                "maxCrops", default: faces.retentionMaxCrops, in: 0...1_000_000_000)
            faces.retentionIntervalSeconds = try retention.double(
                "intervalSeconds", default: faces.retentionIntervalSeconds, in: 1...86400)
            try retention.rejectUnknownFields()
        }
        if var cluster = try facesSection.object("cluster") {
            faces.clusterDistance = try cluster.double("distance", default: faces.clusterDistance, in: 0.01...2)
            faces.clusterMinFaces = try cluster.int("minFaces", default: faces.clusterMinFaces, in: 1...1000)
            faces.clusterIntervalSeconds = try cluster.double(
                "intervalSeconds", default: faces.clusterIntervalSeconds, in: 0.1...86400)
            try cluster.rejectUnknownFields()
        }
        try facesSection.rejectUnknownFields()
        self.faces = faces
    }
}
