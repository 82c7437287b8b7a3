import Foundation

/// The protocol every sharded writer follows, so an output directory never looks complete when it is
/// not (a run killed mid-way, or a killed re-run over an older output):
///
/// 1. `begin`, before the first shard: remove the temporaries a killed writer of this prefix left
///    (`.PREFIX-00000.jsonl.zst.tmp-PID` of a dead PID), remove the old `PREFIX.manifest.json`, and
///    create the marker `PREFIX.incomplete`.
/// 2. Shards are written under temporary names and renamed into place (`AtomicFileWriter`).
/// 3. `complete`, last: write the manifest atomically, then remove the marker.
///
/// Readers (`InputFiles.resolve`) refuse a directory holding a marker, and read exactly the shards a
/// manifest lists, so a mix of new and stale shards is never read as one output.
public enum ShardedOutput {
    public static let markerSuffix = ".incomplete"

    public static func markerPath(directory: String, prefix: String) -> String {
        (directory as NSString).appendingPathComponent(prefix + markerSuffix)
    }

    /// Marks `directory` as holding an unfinished output of `prefix` (see the type's steps).
    public static func begin(directory: String, prefix: String) throws {
        removeStaleTemporaries(in: directory, prefix: prefix)
        let manifest = Manifest.path(directory: directory, prefix: prefix)
        if unlink(manifest) != 0 && errno != ENOENT {
            throw CurationError.io(path: manifest, reason: "cannot remove the old manifest: \(String(cString: strerror(errno)))")
        }
        let note = "An unfinished output of prefix \"\(prefix)\": its writer (process \(getpid())) has not finished, or was killed.\n"
            + "Readers refuse this directory until the writer completes (re-run it), unless given --allow-incomplete.\n"
        try AtomicFileWriter.write(note, to: markerPath(directory: directory, prefix: prefix))
    }

    /// The first step of one share's writer (`ShardOptions.share`): marks the whole output of `prefix`
    /// unfinished (every share writes the same marker; `merge` removes it), removes the old merged
    /// manifest and this share's old completion record (a re-run of a task is not complete until it
    /// says so again), and the temporaries a killed writer of this share left.
    public static func beginShare(directory: String, prefix: String, share: ShardSpec) throws {
        removeStaleTemporaries(in: directory, prefix: "\(prefix)-\(share.tag)")
        let record = ShareRecord.path(directory: directory, share: share)
        if unlink(record) != 0 && errno != ENOENT {
            throw CurationError.io(path: record, reason: "cannot remove the share's old completion record: \(String(cString: strerror(errno)))")
        }
        let manifest = Manifest.path(directory: directory, prefix: prefix)
        if unlink(manifest) != 0 && errno != ENOENT {
            throw CurationError.io(path: manifest, reason: "cannot remove the old manifest: \(String(cString: strerror(errno)))")
        }
        let marker = markerPath(directory: directory, prefix: prefix)
        guard !FileManager.default.fileExists(atPath: marker) else { return }
        let note = "An unfinished sharded output of prefix \"\(prefix)\": its shares are being written (share records in \(ShareRecord.folder)/).\n"
            + "Readers refuse this directory until `curate-tool merge` joins the shares.\n"
        try AtomicFileWriter.write(note, to: marker)
    }

    /// Writes the manifest (atomically) and then removes the marker: the last step of a writer.
    public static func complete(_ manifest: Manifest, directory: String) throws {
        try AtomicFileWriter.write(try manifest.jsonBytes(), to: Manifest.path(directory: directory, prefix: manifest.prefix))
        let marker = markerPath(directory: directory, prefix: manifest.prefix)
        if unlink(marker) != 0 && errno != ENOENT {
            throw CurationError.io(path: marker, reason: "cannot remove the incomplete-output marker: \(String(cString: strerror(errno)))")
        }
        AtomicFileWriter.syncDirectory(directory)
    }

    /// Removes hidden temporaries (`.PREFIX-….tmp-PID`, `.PREFIX.….tmp-PID`) whose writer process is
    /// gone: what `kill -9` leaves behind. Files of a live process are left alone.
    public static func removeStaleTemporaries(in directory: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix("." + prefix + "-") || name.hasPrefix("." + prefix + ".") {
            guard let r = name.range(of: ".tmp-", options: .backwards), let pid = Int32(name[r.upperBound...]) else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                unlink((directory as NSString).appendingPathComponent(name))
            }
        }
    }
}
