import Dispatch
import Synchronization

/// Bounds the decoded frames of one event that are alive at once, whatever the event's length:
/// the decoder takes a slot before it decodes a frame (waiting, on its own thread, while all are
/// taken) and the consumer gives the slot back once the frame is recognised. A long 1080p event
/// with every frame selected then holds a few frames, not gigabytes.
public final class FrameWindow: Sendable {
    private let slots: DispatchSemaphore
    private let closed = Atomic<Bool>(false)
    public let size: Int

    public init(size: Int) {
        self.size = max(1, size)
        // Created empty and filled by signals: libdispatch traps when a semaphore is released with
        // a value below the one it was created with, which a window closed early would have.
        self.slots = DispatchSemaphore(value: 0)
        for _ in 0..<self.size { slots.signal() }
    }

    /// Blocks the calling (decoder) thread until a slot is free; false once the window is closed
    /// (the consumer stopped early), and the decoder stops.
    func acquire() -> Bool {
        guard !closed.load(ordering: .acquiring) else { return false }
        slots.wait()
        return !closed.load(ordering: .acquiring)
    }

    /// The consumer is done with one frame.
    public func release() {
        slots.signal()
    }

    /// The consumer stopped: wakes a waiting decoder, which then stops.
    public func close() {
        closed.store(true, ordering: .releasing)
        slots.signal()
    }
}

/// The event's folder is gone (deleted under us): the event is recorded as deleted.
public struct EventFolderMissing: Error, Sendable, CustomStringConvertible {
    public let directory: String
    public var description: String { "event folder \(directory) is missing" }
}
