internal import CDlib
public import ZMFaceCore

/// The original server's blur gate: variance of the Laplacian of the grey face crop, computed
/// exactly as OpenCV does so the original `focusMeasureThreshold` (e.g. 200) keeps its meaning.
public enum FocusMeasure {
    /// Variance of the Laplacian over `box` (half-open, must lie inside the image), or nil when the
    /// box is empty or outside the image.
    public static func varianceOfLaplacian(_ image: RGBImage, in box: FaceBox) -> Double? {
        let value = image.pixels.withUnsafeBufferPointer { pixels in
            zmf_laplacian_variance(
                pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(image.rowBytes),
                Int32(box.left), Int32(box.top), Int32(box.right), Int32(box.bottom))
        }
        return value < 0 ? nil : value
    }
}
