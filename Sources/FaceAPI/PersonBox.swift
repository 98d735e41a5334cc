import MessagePack
import ZMFaceCore

/// A person label's `box` `{xmin, ymin, xmax, ymax}` in full-image pixels, turned into the region
/// the original server cut: coordinates truncated toward zero, end-exclusive.
struct PersonBox: Equatable {
    let xmin: Double
    let ymin: Double
    let xmax: Double
    let ymax: Double

    /// Nil when the label has no box or any coordinate is missing or not a number.
    init?(label: MessagePackValue) {
        guard let box = label["box"], let xmin = box["xmin"]?.numberValue, let ymin = box["ymin"]?.numberValue,
            let xmax = box["xmax"]?.numberValue, let ymax = box["ymax"]?.numberValue
        else { return nil }
        self.xmin = xmin
        self.ymin = ymin
        self.xmax = xmax
        self.ymax = ymax
    }

    /// The region of interest clamped to the image, or nil when it is NaN, infinite, inverted or
    /// empty after clamping. (The original indexed Python arrays with these numbers, so a negative
    /// coordinate counted from the far edge; here it is clamped to 0.)
    func regionOfInterest(width: Int, height: Int) -> FaceBox? {
        let values = [xmin, ymin, xmax, ymax]
        guard values.allSatisfy(\.isFinite) else { return nil }
        func clamp(_ value: Double, _ limit: Int) -> Int { Int(min(max(value.rounded(.towardZero), 0), Double(limit))) }
        let region = FaceBox(
            top: clamp(ymin, height), right: clamp(xmax, width), bottom: clamp(ymax, height), left: clamp(xmin, width))
        return region.isEmpty ? nil : region
    }
}
