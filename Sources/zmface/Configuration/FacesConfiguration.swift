import Recognition
import Sink
import ZMFaceCore

/// worker.json's `faces` section: the labelling loop's files and background work (face crops,
/// clusters of unknown faces across events, crop retention, the training dataset folder).
struct FacesConfiguration: Equatable {
    /// Where face crops go (`<cropsPath>/<event>/<frame>-<face>.jpg`); nil: no crops.
    var cropsPath: String?
    var keep = FaceCropKeep.all
    var retention = CropRetentionPolicy()
    var retentionIntervalSeconds = 3600.0
    var cluster = FaceClusterSettings()
    var clusterIntervalSeconds = 10.0
    /// `faces.cluster.maxWaitDays`: how long an unknown face waits for others like it (0: forever).
    var clusterMaxWaitDays = 30.0
    /// The training dataset folder (one folder per person, `Unknown/` for strangers) that the faces
    /// page's Retrain exports labelled crops to and trains from; nil: Retrain is off.
    var datasetPath: String?
}

extension ServerConfiguration {
    /// Reads `faces`; every field is read before any is checked, so an unknown field is always
    /// reported as such.
    mutating func readFacesSection(_ root: inout JSONFields) throws(ConfigurationError) {
        guard var section = try root.object("faces") else { return }
        var settings = FacesConfiguration()
        let cropsPath = try section.string("cropsPath")
        let keep = try section.string("keep") ?? settings.keep.rawValue
        let datasetPath = try section.string("datasetPath")
        if var retention = try section.object("retention") {
            settings.retention.unknownDays = try retention.double("unknownDays", default: 7, in: 0...36500)
            settings.retention.namedDays = try retention.double("namedDays", default: 30, in: 0...36500)
            settings.retention.maxCrops = try retention.int("maxCrops", default: 100_000, in: 0...1_000_000_000)
            settings.retentionIntervalSeconds = try retention.double("intervalSeconds", default: 3600, in: 1...86400)
            try retention.rejectUnknownFields()
        }
        if var cluster = try section.object("cluster") {
            settings.cluster.distance = try cluster.double(
                "distance", default: settings.cluster.distance, in: 0.05...2)
            settings.cluster.minFaces = try cluster.int("minFaces", default: settings.cluster.minFaces, in: 1...1000)
            settings.clusterIntervalSeconds = try cluster.double("intervalSeconds", default: 10, in: 0.1...86400)
            settings.clusterMaxWaitDays = try cluster.double(
                "maxWaitDays", default: settings.clusterMaxWaitDays, in: 0...3650)
            try cluster.rejectUnknownFields()
        }
        try section.rejectUnknownFields()

        guard let keepValue = FaceCropKeep(rawValue: keep) else {
            throw .invalid("faces.keep", "must be \"all\", \"unknown\" or \"none\", not \"\(keep)\"")
        }
        settings.keep = keepValue
        for (field, path) in [("cropsPath", cropsPath), ("datasetPath", datasetPath)] {
            if let path, path.isEmpty || path.contains("\u{0}") {
                throw .invalid("faces.\(field)", "must be a folder path")
            }
            // The page serves and the train job writes there: never relative to wherever it started.
            if let path, !path.hasPrefix("/") {
                throw .invalid("faces.\(field)", "must be an absolute path, not \"\(path)\"")
            }
        }
        settings.cropsPath = cropsPath
        settings.datasetPath = datasetPath
        faces = settings
    }
}

extension FacesConfiguration {
    /// `clusterMaxWaitDays` as the clustering pass takes it (nil: faces wait forever).
    var clusterMaxWait: Duration? {
        clusterMaxWaitDays > 0 ? .milliseconds(Int64(clusterMaxWaitDays * 86_400_000)) : nil
    }
}
