/// Groups an event's unknown faces by likeness so a summary can say "the same stranger in 12
/// frames" instead of 12 strangers. Greedy and order-stable: each unknown face joins the first
/// cluster whose first face is within `threshold` (dlib's usual same-person distance, 0.6).
public enum UnknownFaceClustering {
    public static func assign(_ frames: inout [FrameResult], threshold: Double = 0.6) {
        var representatives: [FaceEncoding] = []
        for frameIndex in frames.indices {
            for faceIndex in frames[frameIndex].faces.indices {
                let face = frames[frameIndex].faces[faceIndex]
                guard face.name == nil, let encoding = face.encoding else { continue }
                let cluster: Int
                if let match = representatives.firstIndex(where: { $0.distance(to: encoding) < threshold }) {
                    cluster = match
                } else {
                    representatives.append(encoding)
                    cluster = representatives.count - 1
                }
                frames[frameIndex].faces[faceIndex].cluster = "unknown-\(cluster + 1)"
            }
        }
    }
}
