public import ZMFaceCore

/// Where in a frame ingestion looks for faces (worker.json `frames.region`). ZoneMinder already
/// knows where the motion was: for Modect alarm frames its `Stats` table holds each zone's alarmed
/// box. Scanning that box, widened so a head at its edge is whole, costs the detector a fraction
/// of the frame (HOG's time grows with the pixels scanned).
public enum ScanRegionPolicy: Sendable, Equatable {
    /// Always the whole frame.
    case full
    /// The frame's alarm box widened by `margin` of its width and height on each side (at least
    /// `minimumMargin` pixels), or the whole frame when ZoneMinder recorded no box.
    case alarm(margin: Double)

    /// 40 pixels: half a face the HOG detector finds at upsample 1, so a face cut by the box's
    /// edge is still whole in the region.
    public static let minimumMargin = 40

    /// The region to scan in a `width`×`height` frame whose alarm box is `box`, given in a frame of
    /// `boxSpace` (the size zmc analysed; nil when unknown); nil means the whole frame: no box, a
    /// frame of another size than the one analysed (a stream at another resolution, a rotated
    /// monitor: the box would be in the wrong place), a box outside the frame, or a region so large
    /// that cutting it out saves nothing.
    public func region(for box: FaceBox?, width: Int, height: Int, boxSpace: (width: Int, height: Int)? = nil)
        -> FaceBox?
    {
        guard case .alarm(let margin) = self, let box, !box.isEmpty else { return nil }
        if let boxSpace, boxSpace.width != width || boxSpace.height != height { return nil }
        let dx = max(Int((Double(box.width) * margin).rounded()), Self.minimumMargin)
        let dy = max(Int((Double(box.height) * margin).rounded()), Self.minimumMargin)
        let region = FaceBox(top: box.top - dy, right: box.right + dx, bottom: box.bottom + dy, left: box.left - dx)
            .trimmed(toWidth: width, height: height)
        guard !region.isEmpty, region.area * 10 < width * height * 9 else { return nil }
        return region
    }
}
