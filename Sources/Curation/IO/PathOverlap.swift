import Foundation

/// Whether one path lies inside another, after resolving `.`/`..` and symlinks, so a stage never
/// reads what it (or a later run of it) writes: a run whose source sat inside a stage's output
/// directory read its own output back on every re-run, 80 -> 160 -> 240 records (issue 13, item 11).
public enum PathOverlap {
    /// The absolute, symlink-free form of `path`. Components that do not exist yet (an output
    /// directory a run will create) are appended to the resolved existing part.
    public static func canonical(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var existing = absolute
        var rest: [String] = []
        while !existing.isEmpty, existing != "/", !FileManager.default.fileExists(atPath: existing) {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        var resolved = existing
        if let real = realpath(existing, nil) {
            resolved = String(cString: real)
            free(real)
        }
        for part in rest { resolved = (resolved as NSString).appendingPathComponent(part) }
        return resolved
    }

    /// True when `path` is `directory` itself or lies below it.
    public static func isInside(_ path: String, directory: String) -> Bool {
        let p = canonical(path), d = canonical(directory)
        if p == d { return true }
        return p.hasPrefix(d.hasSuffix("/") ? d : d + "/")
    }
}
