/// Face encodings that can be asked "which of you are within `radius` of this one?" without
/// comparing against all of them: a leader (canopy) index. Every point belongs to the first leader
/// within `radius` of it (or becomes a leader itself), and its distance to that leader is kept.
/// By the triangle inequality a point `y` of leader `L` can be within `radius` of `x` only when
/// `|d(x, L) - d(y, L)| <= radius`, so a query skips the canopies further than `2 * radius` and
/// compares only the members in that distance band of the rest. Unrelated faces are about 0.9
/// apart, so in 128 dimensions the leaders themselves are most of the work: distances are summed
/// over contiguous storage eight lanes at a time and given up as soon as they pass the bound.
/// Points can be removed (they joined a cluster); leaders stay as signposts.
public struct EncodingNeighbourIndex: Sendable {
    public static let dimensions = 128
    public let radius: Float
    /// Every point's encoding, one after the other.
    private var storage: [Float] = []
    private var alive: [Bool] = []
    private var leaders: [Int] = []
    /// Per leader: its members and their distance to it.
    private var members: [[(point: Int, distance: Float)]] = []

    public init(radius: Double) {
        self.radius = Float(radius)
    }

    public var count: Int { alive.count }

    public func encoding(_ point: Int) -> [Float] {
        Array(storage[point * Self.dimensions..<(point + 1) * Self.dimensions])
    }

    /// Adds a point; returns its number (0, 1, 2, … in the order of insertion).
    @discardableResult
    public mutating func insert(_ encoding: [Float]) -> Int {
        precondition(encoding.count == Self.dimensions)
        let point = alive.count
        var home: (slot: Int, distance: Float)?
        for (slot, leader) in leaders.enumerated() {
            if let distance = distance(encoding, to: leader, within: radius) {
                home = (slot, distance)
                break
            }
        }
        storage.append(contentsOf: encoding)
        alive.append(true)
        if let home {
            members[home.slot].append((point, home.distance))
        } else {
            leaders.append(point)
            members.append([(point, 0)])
        }
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
            let canopy = members[slot]
            // A lone leader is a neighbour or nothing; a canopy matters up to 2 * radius away.
            guard let toLeader = distance(encoding, to: leader, within: canopy.count == 1 ? radius : 2 * radius)
            else { continue }
            for member in canopy where alive[member.point] {
                guard abs(toLeader - member.distance) <= radius else { continue }
                let near =
                    member.point == leader
                    ? toLeader <= radius : distance(encoding, to: member.point, within: radius) != nil
                if near { found.append(member.point) }
            }
        }
        return found.sorted()
    }

    /// The distance from `encoding` to `point` when it is at most `bound`, else nil (given up early).
    private func distance(_ encoding: [Float], to point: Int, within bound: Float) -> Float? {
        encoding.withUnsafeBufferPointer { a in
            storage.withUnsafeBufferPointer { all in
                Self.distance(a.baseAddress!, all.baseAddress! + point * Self.dimensions, within: bound)
            }
        }
    }

    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, within bound: Float) -> Float? {
        let limit = bound * bound
        var sum = SIMD8<Float>()
        var index = 0
        while index < dimensions {
            for lane in stride(from: index, to: index + 32, by: 8) {
                let delta =
                    UnsafeRawPointer(a + lane).loadUnaligned(as: SIMD8<Float>.self)
                    - UnsafeRawPointer(b + lane).loadUnaligned(as: SIMD8<Float>.self)
                sum += delta * delta
            }
            if sum.sum() > limit { return nil }
            index += 32
        }
        return sum.sum().squareRoot()
    }

    /// Euclidean distance of two encodings of equal length (a multiple of 8).
    public static func distance(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count && a.count % 8 == 0)
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var sum = SIMD8<Float>()
                for index in stride(from: 0, to: a.count, by: 8) {
                    let delta =
                        UnsafeRawPointer(a.baseAddress! + index).loadUnaligned(as: SIMD8<Float>.self)
                        - UnsafeRawPointer(b.baseAddress! + index).loadUnaligned(as: SIMD8<Float>.self)
                    sum += delta * delta
                }
                return sum.sum().squareRoot()
            }
        }
    }

    /// `distance(a, b)` when it is at most `bound`, else nil (given up early).
    public static func distance(_ a: [Float], _ b: [Float], within bound: Float) -> Float? {
        precondition(a.count == dimensions && b.count == dimensions)
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in distance(a.baseAddress!, b.baseAddress!, within: bound) }
        }
    }
}
