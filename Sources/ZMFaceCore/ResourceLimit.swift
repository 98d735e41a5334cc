/// The configured limits that protect zmface from oversized or hostile input (worker.json `limits`,
/// `zerorpc.maxLabels`, `zerorpc.queueWaitSeconds`, `frames.maxPerEvent`). Each breach is refused
/// with a clear error where it happens and counted as `zmface_limit_breaches_total{limit=…}`.
public enum ResourceLimit: String, Sendable, CaseIterable {
    /// A file above `limits.maxImageBytes`, refused before it is read.
    case imageBytes = "image_bytes"
    /// A picture or video frame above `limits.maxImagePixels`, refused before its pixels are allocated.
    case imagePixels = "image_pixels"
    /// A `detect_faces` call with more than `zerorpc.maxLabels` labels.
    case labels
    /// A call that found no free worker within `zerorpc.queueWaitSeconds` (answered `Overloaded`).
    case queueWait = "queue_wait"
    /// An event with more candidate frames than `frames.maxPerEvent`; the rest are not analysed.
    case framesPerEvent = "frames_per_event"

    public func recordBreach() {
        Telemetry.limitBreached(self)
    }
}

/// An error that is a refused limit; lets a module count breaches of errors it only sees as `any Error`.
public protocol ResourceLimitError: Error {
    var breachedLimit: ResourceLimit? { get }
}
