import Foundation

/// What identifies one version of a file: inode, size and modification time to the nanosecond. An
/// edit within the same second that keeps the size (workers 1 → 3) still shows; so does an editor's
/// replace-by-rename. A missing file (or no path) is its own version.
struct FileVersion: Equatable, Sendable {
    private let fields: [Int]

    init(of path: String?) {
        var status = stat()
        guard let path, stat(path, &status) == 0 else {
            fields = []
            return
        }
        fields = [Int(status.st_ino), Int(status.st_size), status.st_mtim.tv_sec, status.st_mtim.tv_nsec]
    }
}
