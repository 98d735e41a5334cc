/// Clusters of unknown faces across events, by Immich's DBSCAN-like rule: a face joins the nearest
/// cluster whose centroid is within `distance`; otherwise it waits, and once a waiting face has at
/// least `minFaces - 1` waiting neighbours within `distance` they form a new cluster together. Faces
/// are placed one at a time in the order given (the caller gives time order), so the incremental
/// pass and a full recompute from the same faces give the same clusters. No database here: the
/// store reads the faces, runs this on its connection's thread and writes the outcome.
public struct FaceClusterer<Key: Hashable & Sendable>: Sendable {
    public typealias Settings = FaceClusterSettings

    public struct Cluster: Sendable, Equatable {
        /// Nil for a cluster formed by this run (the store gives it an id).
        public var id: Int64?
        public var centroid: [Float]
        /// Members, those placed by this run included.
        public var faces: Int
        /// Changed by this run: formed, or faces joined it.
        public var touched = false

        public init(id: Int64?, centroid: [Float], faces: Int) {
            self.id = id
            self.centroid = centroid
            self.faces = faces
        }
    }

    public let settings: Settings
    public private(set) var clusters: [Cluster]
    /// Faces placed into a cluster by this run (index into `clusters`), waiting ones pulled into a
    /// new cluster included.
    public private(set) var assignments: [Key: Int] = [:]
    private var waiting: EncodingNeighbourIndex
    private var waitingKeys: [Key] = []

    public init(settings: Settings, clusters: [Cluster]) {
        self.settings = settings
        // A centroid of another length (none yet) can match nothing.
        self.clusters = clusters
        self.waiting = EncodingNeighbourIndex(radius: settings.distance)
    }

    /// Faces still waiting after this run.
    public var waitingFaces: [Key] {
        waitingKeys.indices.filter { waiting.contains($0) }.map { waitingKeys[$0] }
    }

    /// A face that was already waiting before this run: a neighbour for the faces placed after it,
    /// not examined again itself (it found too few neighbours when it came).
    public mutating func addWaiting(_ key: Key, encoding: [Float]) {
        waiting.insert(encoding)
        waitingKeys.append(key)
    }

    /// Places a new face: into the nearest cluster within `distance`, else into the waiting faces,
    /// forming a cluster when it (or one of its waiting neighbours) now has enough neighbours.
    public mutating func place(_ key: Key, encoding: [Float]) {
        if let nearest = nearestCluster(to: encoding) {
            join(key, encoding: encoding, cluster: nearest)
            return
        }
        let point = waiting.insert(encoding)
        waitingKeys.append(key)
        let needed = max(settings.minFaces, 1)
        // The new face, then its neighbours: one of them may have reached enough neighbours now.
        let near = waiting.neighbours(of: encoding)
        if near.count >= needed {
            form(near)
            return
        }
        for candidate in near where candidate != point {
            let group = waiting.neighbours(of: waiting.encoding(candidate))
            guard group.count >= needed else { continue }
            form(group)
            return
        }
    }

    /// The nearest cluster whose centroid is within `distance` (the first on a tie).
    func nearestCluster(to encoding: [Float]) -> Int? {
        var best: (index: Int, distance: Float)?
        for (index, cluster) in clusters.enumerated() where cluster.centroid.count == encoding.count {
            let bound = min(Float(settings.distance), best?.distance ?? .infinity)
            if let distance = EncodingNeighbourIndex.distance(encoding, cluster.centroid, within: bound),
                distance < best?.distance ?? .infinity
            {
                best = (index, distance)
            }
        }
        return best?.index
    }

    private mutating func join(_ key: Key, encoding: [Float], cluster index: Int) {
        var cluster = clusters[index]
        // The running mean: the centroid stays the mean of the members without reading them again.
        let weight = Float(cluster.faces)
        cluster.centroid = zip(cluster.centroid, encoding).map { ($0 * weight + $1) / (weight + 1) }
        cluster.faces += 1
        cluster.touched = true
        clusters[index] = cluster
        assignments[key] = index
    }

    private mutating func form(_ points: [Int]) {
        var centroid = [Float](repeating: 0, count: waiting.encoding(points[0]).count)
        for point in points {
            for (dimension, value) in waiting.encoding(point).enumerated() { centroid[dimension] += value }
            waiting.remove(point)
        }
        let count = Float(points.count)
        var cluster = Cluster(id: nil, centroid: centroid.map { $0 / count }, faces: points.count)
        cluster.touched = true
        clusters.append(cluster)
        for point in points { assignments[waitingKeys[point]] = clusters.count - 1 }
    }

    /// Which old cluster id each newly formed cluster keeps (nil: a new id). A formed cluster keeps
    /// the id of the old cluster it shares most faces with when they share more than half of each:
    /// unchanged and mostly-unchanged clusters keep their ids, a split keeps it for the larger part,
    /// and each old id goes to one cluster at most. `previous` is each face's old cluster.
    public static func keptIDs(formed: [[Key]], previous: [Key: Int64]) -> [Int64?] {
        var oldSizes: [Int64: Int] = [:]
        for id in previous.values { oldSizes[id, default: 0] += 1 }
        var pairs: [(group: Int, id: Int64, shared: Int)] = []
        for (group, members) in formed.enumerated() {
            var shared: [Int64: Int] = [:]
            for key in members { if let id = previous[key] { shared[id, default: 0] += 1 } }
            for (id, count) in shared where 2 * count > members.count && 2 * count > oldSizes[id]! {
                pairs.append((group, id, count))
            }
        }
        pairs.sort { ($0.shared, -$0.id) > ($1.shared, -$1.id) }
        var kept = [Int64?](repeating: nil, count: formed.count)
        var used: Set<Int64> = []
        for pair in pairs where kept[pair.group] == nil && !used.contains(pair.id) {
            kept[pair.group] = pair.id
            used.insert(pair.id)
        }
        return kept
    }
}

/// `faces.cluster`: how close faces must be to share a cluster, and how many form one.
public struct FaceClusterSettings: Sendable, Equatable {
    /// Euclidean distance on dlib encodings. Measured on real photos (README, *Faces: crops,
    /// clusters, retention*): at 0.5 no two photos of different people are neighbours (the closest
    /// pair is 0.514 apart) and every photo lies within 0.46 of its own person's centroid.
    public var distance: Double
    public var minFaces: Int

    public init(distance: Double = 0.5, minFaces: Int = 3) {
        self.distance = distance
        self.minFaces = minFaces
    }
}
