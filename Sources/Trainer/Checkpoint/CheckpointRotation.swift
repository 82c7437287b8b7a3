import Foundation

/// Replaces a checkpoint directory so that a kill at any moment leaves one `--resume` can use.
///
/// Why: a directory cannot be renamed over a non-empty one, and the old rotation removed the previous
/// checkpoint before renaming the new one into place, so a kill between the two left nothing. Here the
/// new checkpoint is written whole beside the old one (`NAME.new`), its files and directory fsynced, and
/// then swapped in: with `renameat2(RENAME_EXCHANGE)` one atomic step; where the file system lacks it,
/// the old one is first renamed to `NAME.old`, which `resolve` falls back to. The old one is removed
/// only once the new one is in place.
public enum CheckpointRotation {
    /// The steps of `replace`, reported to its observer (tests check the directory at each one).
    public enum Step: String, Sendable { case staged, swapped, movedOldAside, movedNewIn, removedOld }

    /// Writes a new checkpoint with `write(stagingPath)` and puts it at `path`.
    /// - Parameter observe: called after each step on the file system (for tests).
    public static func replace(_ path: String, write: (String) throws -> Void, observe: (Step) -> Void = { _ in }) throws {
        let fm = FileManager.default
        let staged = path + ".new", aside = path + ".old"
        // A `.new` left by a killed save is incomplete: never resumed from, so it can go.
        try? fm.removeItem(atPath: staged)
        try write(staged)
        try syncTree(staged)
        observe(.staged)
        let parent = (path as NSString).deletingLastPathComponent
        guard fm.fileExists(atPath: path) else {
            try rename(staged, path)
            try? fm.removeItem(atPath: aside)
            syncDirectory(parent.isEmpty ? "." : parent)
            observe(.movedNewIn)
            return
        }
        if exchange(staged, path) {
            syncDirectory(parent.isEmpty ? "." : parent)
            observe(.swapped)
            try? fm.removeItem(atPath: staged)  // now the previous checkpoint
            observe(.removedOld)
            return
        }
        try? fm.removeItem(atPath: aside)
        try rename(path, aside)
        observe(.movedOldAside)
        try rename(staged, path)
        syncDirectory(parent.isEmpty ? "." : parent)
        observe(.movedNewIn)
        try? fm.removeItem(atPath: aside)
        observe(.removedOld)
    }

    /// The checkpoint to resume from: `path` when it is complete (holds `marker`), else `path.old` left
    /// by a save killed between its two renames; nil when neither is.
    public static func resolve(_ path: String, marker: String = "trainer_state.json") -> String? {
        for candidate in [path, path + ".old"] where FileManager.default.fileExists(atPath: candidate + "/" + marker) {
            return candidate
        }
        return nil
    }

    // MARK: file system

    private static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw TrainerError.io(path: to, reason: "cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    /// glibc's `renameat2`, looked up at run time (Swift's Glibc module does not declare it).
    private static let renameat2: RenameAt2? = {
        guard let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, "renameat2") else { return nil }
        return unsafeBitCast(sym, to: RenameAt2.self)
    }()

    /// Atomically swaps two paths; false when the system or file system cannot.
    private static func exchange(_ a: String, _ b: String) -> Bool {
        guard let f = renameat2 else { return false }
        let renameExchange: UInt32 = 2  // RENAME_EXCHANGE
        return f(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
    }

    /// fsyncs every regular file under `dir`, then the directories, so the checkpoint is on disk before
    /// it replaces the previous one.
    static func syncTree(_ dir: String) throws {
        let fm = FileManager.default
        var dirs = [dir]
        if let walker = fm.enumerator(atPath: dir) {
            while let rel = walker.nextObject() as? String {
                let full = dir + "/" + rel
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: full, isDirectory: &isDir) else { continue }
                if isDir.boolValue { dirs.append(full); continue }
                let fd = open(full, O_RDONLY)
                guard fd >= 0 else { throw TrainerError.io(path: full, reason: "cannot open to sync: \(String(cString: strerror(errno)))") }
                let r = fsync(fd)
                close(fd)
                guard r == 0 else { throw TrainerError.io(path: full, reason: "fsync failed: \(String(cString: strerror(errno)))") }
            }
        }
        for d in dirs.reversed() { syncDirectory(d) }
    }

    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
