/// dlib's 5 face landmarks in image pixels: two corners of each eye and the bottom of the nose.
public struct FaceLandmarks: Sendable, Equatable {
    /// (x, y) pairs: eye A outer, eye A inner, eye B outer, eye B inner, nose.
    public let points: [(x: Double, y: Double)]

    public init?(points: [(x: Double, y: Double)]) {
        guard points.count == 5 else { return nil }
        self.points = points
    }

    public static func == (lhs: FaceLandmarks, rhs: FaceLandmarks) -> Bool {
        zip(lhs.points, rhs.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }

    /// How far the head is turned: the nose's offset along the eye line from the point between the
    /// eyes, in eye distances. About 0 for a frontal face; the sign says which way (it flips in a
    /// mirror image); around 0.5 and more the nose reaches past an eye, a face in profile.
    public var yaw: Double {
        let a = (x: (points[0].x + points[1].x) / 2, y: (points[0].y + points[1].y) / 2)
        let b = (x: (points[2].x + points[3].x) / 2, y: (points[2].y + points[3].y) / 2)
        let (dx, dy) = (b.x - a.x, b.y - a.y)
        let distance = (dx * dx + dy * dy).squareRoot()
        guard distance > 0 else { return .infinity }
        let middle = (x: (a.x + b.x) / 2, y: (a.y + b.y) / 2)
        return ((points[4].x - middle.x) * dx + (points[4].y - middle.y) * dy) / (distance * distance)
    }
}
