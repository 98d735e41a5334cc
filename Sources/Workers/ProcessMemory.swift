internal import CDlib

/// The process's heap as glibc keeps it.
public enum ProcessMemory {
    /// Returns free heap pages to the system (glibc `malloc_trim(0)`: free space at the top of
    /// every arena and whole free pages inside them). Each thread allocates from its own arena and
    /// frames of different sizes leave holes behind, so without this RSS creeps up long after the
    /// memory in use has stopped growing. Takes milliseconds and the arenas' locks: call it from a
    /// thread of its own, not the cooperative pool.
    public static func releaseFreedMemory() {
        zmf_release_free_memory()
    }
}
