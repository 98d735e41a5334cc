import Testing
import ZMFaceCore

/// The clustering rule without a database: faces of one person form one cluster after `minFaces`,
/// later ones join it, other people and lone faces stay apart, and a recompute keeps ids.
@Suite("face clustering rule")
struct FaceClustererTests {
    /// Deterministic 128-D points: `person` picks a centre about 0.9 from every other centre (the
    /// usual different-person distance), `jitter` moves about 0.15 from it (a same-person one).
    struct Faces {
        var state: UInt64 = 42

        mutating func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }

        mutating func noise(_ length: Float) -> [Float] {
            let raw = (0..<128).map { _ in uniform() }
            let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return raw.map { $0 * length / norm }
        }

        func centre(_ person: Int) -> [Float] {
            var copy = Faces(state: UInt64(person) &* 7919 &+ 17)
            return copy.noise(0.64)
        }

        mutating func face(_ person: Int) -> [Float] {
            zip(centre(person), noise(0.15)).map { $0 + $1 }
        }
    }

    @Test("the neighbour index finds exactly what comparing every pair finds")
    func neighbourIndexMatchesBruteForce() {
        var faces = Faces()
        var index = EncodingNeighbourIndex(radius: 0.5)
        var points: [[Float]] = []
        for i in 0..<400 {
            let point = i % 3 == 0 ? faces.noise(0.7) : faces.face(i % 17)
            points.append(point)
            index.insert(point)
        }
        for removed in stride(from: 5, to: 400, by: 11) { index.remove(removed) }
        for query in stride(from: 0, to: 400, by: 7) {
            let expected = points.indices.filter {
                index.contains($0) && EncodingNeighbourIndex.distance(points[query], points[$0]) <= 0.5
            }
            #expect(index.neighbours(of: points[query]) == expected, "query \(query)")
        }
        let a: [Float] = (0..<128).map { Float($0) / 128 }
        let b: [Float] = (0..<128).map { Float($0) / 128 + ($0 == 3 ? 0.6 : 0) }
        #expect(abs(EncodingNeighbourIndex.distance(a, b) - 0.6) < 1e-6)
    }

    @Test("a person's faces wait until minFaces of them are close, then form one cluster; later ones join it")
    func formAndJoin() {
        var faces = Faces()
        var clusterer = FaceClusterer<String>(settings: .init(distance: 0.5, minFaces: 3), clusters: [])
        clusterer.place("a1", encoding: faces.face(1))
        clusterer.place("b1", encoding: faces.face(2))
        clusterer.place("a2", encoding: faces.face(1))
        #expect(clusterer.clusters.isEmpty && clusterer.waitingFaces == ["a1", "b1", "a2"])
        clusterer.place("a3", encoding: faces.face(1))
        #expect(clusterer.clusters.count == 1 && clusterer.clusters[0].faces == 3)
        #expect(clusterer.assignments == ["a1": 0, "a2": 0, "a3": 0])
        #expect(clusterer.waitingFaces == ["b1"])
        clusterer.place("a4", encoding: faces.face(1))
        clusterer.place("b2", encoding: faces.face(2))
        clusterer.place("c1", encoding: faces.face(3))
        #expect(clusterer.assignments["a4"] == 0 && clusterer.clusters[0].faces == 4)
        #expect(clusterer.waitingFaces == ["b1", "b2", "c1"], "two of b are not enough, c is alone")
        clusterer.place("b3", encoding: faces.face(2))
        #expect(clusterer.clusters.count == 2 && clusterer.assignments["b1"] == 1 && clusterer.assignments["b3"] == 1)
        let centroid = clusterer.clusters[0].centroid
        #expect(EncodingNeighbourIndex.distance(centroid, faces.centre(1)) < 0.15, "the mean of the members")
    }

    @Test("existing clusters of any state are joined by the nearest centroid within the distance, never further")
    func existingClusters() {
        var faces = Faces()
        let existing = [
            FaceClusterer<Int>.Cluster(id: 10, centroid: faces.centre(1), faces: 5),
            FaceClusterer<Int>.Cluster(id: 11, centroid: faces.centre(2), faces: 1),
        ]
        var clusterer = FaceClusterer<Int>(settings: .init(distance: 0.5, minFaces: 3), clusters: existing)
        clusterer.place(1, encoding: faces.face(2))
        clusterer.place(2, encoding: faces.face(4))
        #expect(clusterer.assignments == [1: 1])
        #expect(clusterer.clusters[1].faces == 2 && clusterer.clusters[1].touched && !clusterer.clusters[0].touched)
        #expect(clusterer.waitingFaces == [2])
    }

    @Test("faces waiting from earlier passes are neighbours for new ones and form a cluster with them")
    func earlierWaitingFaces() {
        var faces = Faces()
        var clusterer = FaceClusterer<Int>(settings: .init(distance: 0.5, minFaces: 3), clusters: [])
        clusterer.addWaiting(1, encoding: faces.face(7))
        clusterer.addWaiting(2, encoding: faces.face(8))
        clusterer.addWaiting(3, encoding: faces.face(7))
        #expect(clusterer.clusters.isEmpty, "adding old waiting faces forms nothing by itself")
        clusterer.place(4, encoding: faces.face(7))
        #expect(clusterer.assignments == [1: 0, 3: 0, 4: 0] && clusterer.waitingFaces == [2])
    }

    @Test("minFaces 1: every face forms or joins a cluster at once")
    func minFacesOne() {
        var faces = Faces()
        var clusterer = FaceClusterer<Int>(settings: .init(distance: 0.5, minFaces: 1), clusters: [])
        for key in 0..<6 { clusterer.place(key, encoding: faces.face(key % 3)) }
        #expect(clusterer.clusters.map(\.faces) == [2, 2, 2] && clusterer.waitingFaces.isEmpty)
    }

    @Test("a recompute keeps the id of an unchanged or mostly unchanged cluster, once; others get new ids")
    func keptIDs() {
        let previous: [String: Int64] = [
            "a1": 1, "a2": 1, "a3": 1, "a4": 1, "b1": 2, "b2": 2, "b3": 2, "c1": 3, "c2": 3, "c3": 3, "c4": 3,
        ]
        let kept = FaceClusterer<String>.keptIDs(
            formed: [
                ["a1", "a2", "a3", "a4", "n1"],  // a, one face more: keeps 1
                ["b1", "n2", "n3", "n4"],  // one of b's three faces: not mostly b
                ["c1", "c2", "c3"],  // the larger part of c keeps 3
                ["c4", "n5"],  // the rest of c: new
                ["n6", "n7", "n8"],  // new
            ], previous: previous)
        #expect(kept == [1, nil, 3, nil, nil])
        #expect(
            FaceClusterer<String>.keptIDs(formed: [["x", "y"], ["x2", "y2"]], previous: ["x": 5, "y": 5]) == [5, nil])
    }
}
