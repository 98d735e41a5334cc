/// dlib's 128-dimensional face descriptor. Two photos of the same person are usually closer than
/// 0.6 in Euclidean distance; different people further apart.
public struct FaceEncoding: Sendable, Hashable, Codable {
    public static let dimensions = 128

    public let values: [Float]

    public init?(_ values: [Float]) {
        guard values.count == Self.dimensions else { return nil }
        self.values = values
    }

    public func distance(to other: FaceEncoding) -> Double {
        var sum = 0.0
        for index in 0..<Self.dimensions {
            let delta = Double(values[index]) - Double(other.values[index])
            sum += delta * delta
        }
        return sum.squareRoot()
    }

    public init(from decoder: any Decoder) throws {
        let values = try [Float](from: decoder)
        guard values.count == Self.dimensions else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a face encoding has \(Self.dimensions) values, not \(values.count)"))
        }
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        try values.encode(to: encoder)
    }
}
