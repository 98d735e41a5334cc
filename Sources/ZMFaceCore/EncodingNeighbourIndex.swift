/// Face encodings that can be asked "which of you are within `radius` of this one?" without
/// comparing against all of them: a leader (canopy) index. Every point belongs to the first leader
/// within `radius` of it (or becomes a leader itself), and its distance to that leader is kept.
/// By the triangle inequality a point `y` of leader `L` can be within `radius` of `x` only when
/// `|d(x, L) - d(y, L)| <= radius`, so a query reads the leaders, skips the canopies further than
/// `2 * radius`, and compares only the members in that distance band of the rest. Points can be
/// removed (they joined a cluster); leaders stay as signposts.
public struct EncodingNeighbourIndex: Sendable {
    public let radius: Float
    private var points: [[Float]] = []
    private var alive: [Bool] = []
    private var leaders: [Int] = []
    /// Per leader: its members and their distance to it.
    private var members: [[(point: Int, distance: Float)]] = []

    public init(radius: Double) {
        self.radius = Float(radius)
    }

    public var count: Int { points.count }

    public func encoding(_ point: Int) -> [Float] { points[point] }

    /// Adds a point; returns its number (0, 1, 2, … in the order of insertion).
    @discardableResult
    public mutating func insert(_ encoding: [Float]) -> Int {
        let point = points.count
        points.append(encoding)
        alive.append(true)
        for (slot, leader) in leaders.enumerated() {
            let distance = Self.distance(encoding, points[leader])
            if distance <= radius {
                members[slot].append((point, distance))
                return point
            }
        }
        leaders.append(point)
        members.append([(point, 0)])
        return point
    }

    public mutating func remove(_ point: Int) {
        alive[point] = false
    }

    public func contains(_ point: Int) -> Bool { alive[point] }

    /// The live points within `radius` of `encoding` (its own point included when it is in the index).
    public func neighbours(of encoding: [Float]) -> [Int] {
        var found: [Int] = []
        for (slot, leader) in leaders.enumerated() {
            let toLeader = Self.distance(encoding, points[leader])
            guard toLeader <= 2 * radius else { continue }
            for member in members[slot] where alive[member.point] {
                guard abs(toLeader - member.distance) <= radius else { continue }
                if member.point == leader ? toLeader <= radius : Self.distance(encoding, points[member.point]) <= radius
                {
                    found.append(member.point)
                }
            }
        }
        return found.sorted()
    }

    /// Euclidean distance of two 128-D encodings, eight lanes at a time.
    public static func distance(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count && a.count % 8 == 0)
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var sum = SIMD8<Float>()
                var index = 0
                while index < a.count {
                    let delta =
                        UnsafeRawPointer(a.baseAddress! + index).loadUnaligned(as: SIMD8<Float>.self)
                        - UnsafeRawPointer(b.baseAddress! + index).loadUnaligned(as: SIMD8<Float>.self)
                    sum += delta * delta
                    index += 8
                }
                return sum.sum().squareRoot()
            }
        }
    }
}
