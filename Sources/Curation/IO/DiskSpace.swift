import Foundation

/// Free space on the file system holding a path, so a stage that knows how much it will write can
/// refuse up front instead of filling the disk (issue 13, item 7: absurd mix amounts wrote 8-12 GB of
/// spill files in 15 s before anything noticed).
public enum DiskSpace {
    /// Bytes an unprivileged process may still write on the file system of `path` (statvfs `f_bavail`);
    /// nil when the path cannot be examined.
    public static func availableBytes(atPath path: String) -> Int? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        let bytes = Double(s.f_bavail) * Double(s.f_frsize)
        return bytes >= Double(Int.max) ? Int.max : Int(bytes)
    }
}
