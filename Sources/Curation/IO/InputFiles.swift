import Foundation

/// Turns the paths a user gave (files, globs, directories) into a sorted, de-duplicated file list,
/// so every run sees its inputs in the same order.
public enum InputFiles {
    /// File names a directory contributes: JSONL in any of the supported compressions.
    public static func isDataFile(_ name: String) -> Bool {
        let n = name.lowercased()
        guard !name.hasPrefix(".") else { return false } // temp files and hidden files are never inputs
        return n.hasSuffix(".jsonl") || n.hasSuffix(".jsonl.zst") || n.hasSuffix(".jsonl.gz")
            || n.hasSuffix(".json.zst") || n.hasSuffix(".json.gz") || n.hasSuffix(".ndjson") || n.hasSuffix(".jsonl.zstd")
            || n.hasSuffix(".parquet")
    }

    /// Split names the hub recognises in file and folder names (its data-files patterns).
    static let knownSplits: Set<String> = ["train", "test", "validation", "valid", "val", "dev", "eval", "evaluation"]

    /// The split a Parquet file belongs to, from the hub's naming: `train-00000-of-00003.parquet` (any
    /// name before `-NNNNN-of-NNNNN`), `train.parquet` and `test-extra.parquet` (a known split name, alone
    /// or before `-`/`_`), and a file named by number only in a folder (`default/train/0000.parquet`) takes
    /// the folder's name. nil for any other file (`mydata.parquet`): read whatever `--split` says.
    public static func parquetSplit(_ path: String) -> String? {
        let name = (path as NSString).lastPathComponent
        guard name.lowercased().hasSuffix(".parquet") else { return nil }
        let stem = String(name.dropLast(".parquet".count))
        // NAME-NNNNN-of-NNNNN
        let parts = stem.components(separatedBy: "-")
        if parts.count >= 4, parts[parts.count - 2] == "of",
           !parts[parts.count - 1].isEmpty, parts[parts.count - 1].allSatisfy(\.isASCIIDigitLike),
           !parts[parts.count - 3].isEmpty, parts[parts.count - 3].allSatisfy(\.isASCIIDigitLike) {
            return parts[0..<(parts.count - 3)].joined(separator: "-")
        }
        let lower = stem.lowercased()
        for split in knownSplits where lower == split || lower.hasPrefix(split + "-") || lower.hasPrefix(split + "_") {
            return split
        }
        if !stem.isEmpty, stem.allSatisfy(\.isASCIIDigitLike) {
            let folder = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
            return folder.isEmpty ? nil : folder
        }
        return nil
    }

    /// Keeps the Parquet files of one split of a directory. Several splits and no `split`: an error naming
    /// them, so test data never slips into a training mix unasked; a `split` the directory lacks: an error
    /// naming the ones it has. JSONL files are not touched.
    static func selectSplit(_ files: [String], directory: String, split: String?) throws -> [String] {
        let parquet = files.filter { ParquetInput.isParquet($0) }
        guard !parquet.isEmpty else { return files }
        var splits: [String] = []
        for f in parquet { if let s = parquetSplit(f), !splits.contains(s) { splits.append(s) } }
        guard !splits.isEmpty else { return files }
        if let split {
            guard splits.contains(split) else {
                throw CurationError.io(path: directory, reason: "holds no Parquet files of split \"\(split)\" (splits found: \(splits.sorted().joined(separator: ", ")))")
            }
            // Files of no recognisable split stay: only another split's files are left out.
            return files.filter { !ParquetInput.isParquet($0) || parquetSplit($0) == nil || parquetSplit($0) == split }
        }
        guard splits.count == 1 else {
            // For commands without --split: a glob of one split's files, from where its first file lies.
            let first = splits.contains("train") ? "train" : splits.sorted()[0]
            var example = ""
            if let f = parquet.first(where: { parquetSplit($0) == first }) {
                let name = (f as NSString).lastPathComponent
                example = ((f as NSString).deletingLastPathComponent as NSString)
                    .appendingPathComponent(name.lowercased().hasPrefix(first) ? "\(first)*.parquet" : "*.parquet")
            }
            throw CurationError.io(path: directory, reason: "holds Parquet files of several splits (\(splits.sorted().joined(separator: ", "))): name one with --split NAME, or give that split's files (e.g. '\(example)')")
        }
        return files
    }

    /// `allowIncomplete` reads a directory marked `PREFIX.incomplete` (see `ShardedOutput`) instead of
    /// refusing it.
    ///
    /// `split` picks one split of a directory of Parquet files in the hub's layout
    /// (`data/train-00000-of-00003.parquet`, `data/test-00000-of-00001.parquet`); a directory holding
    /// several splits must be given one (see `selectSplit`).
    public static func resolve(_ specs: [String], allowIncomplete: Bool = false, split: String? = nil) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for spec in specs {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: spec, isDirectory: &isDir) {
                if isDir.boolValue {
                    var sawManifest = false
                    let found = try directoryFiles(spec, allowIncomplete: allowIncomplete, depth: 0, sawManifest: &sawManifest)
                    if found.isEmpty && !sawManifest {
                        throw CurationError.io(path: spec, reason: "directory holds no .jsonl, .jsonl.zst, .jsonl.gz or .parquet files")
                    }
                    out.append(contentsOf: try selectSplit(found, directory: spec, split: split))
                } else {
                    out.append(spec)
                }
            } else if spec.contains("*") || spec.contains("?") || spec.contains("[") {
                let matches = glob(spec)
                if matches.isEmpty { throw CurationError.io(path: spec, reason: "no file matches this pattern") }
                out.append(contentsOf: matches.sorted())
            } else {
                throw CurationError.io(path: spec, reason: "no such file or directory")
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// Subdirectories deeper than this are refused (a symlink loop would otherwise never end).
    static let maxDepth = 32

    /// The inputs of one directory. A directory holding a `PREFIX.incomplete` marker is refused; one
    /// holding manifests contributes exactly their shards, in manifest order (stray `part-*` files of
    /// an older or killed run are not read, nor are its subdirectories); any other directory
    /// contributes its data files and its subdirectories' inputs, in path order (so datatrove output
    /// and hub downloads read as they always did).
    static func directoryFiles(_ dir: String, allowIncomplete: Bool, depth: Int, sawManifest: inout Bool) throws -> [String] {
        guard depth <= maxDepth else { throw CurationError.io(path: dir, reason: "directories nest deeper than \(maxDepth) levels (a symlink loop?)") }
        let fm = FileManager.default
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") } } catch {
            throw CurationError.io(path: dir, reason: "cannot list directory")
        }
        func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
        let markers = names.filter { $0.hasSuffix(ShardedOutput.markerSuffix) }.sorted()
        if let first = markers.first, !allowIncomplete {
            throw CurationError.io(path: dir, reason: "holds an incomplete output (\(first): its writer was killed or failed before finishing); re-run the writer, or pass --allow-incomplete to read what is there")
        }
        let manifests = names.filter { $0.hasSuffix(".manifest.json") }.sorted()
        if !manifests.isEmpty {
            sawManifest = true
            var files: [String] = []
            var prefixes = Set<String>()
            for name in manifests {
                let m = try Manifest.load(path(name))
                prefixes.insert(m.prefix)
                for shard in m.shards {
                    guard !shard.file.isEmpty, !shard.file.contains("/"), shard.file != "..", shard.file != "." else {
                        throw CurationError.io(path: path(name), reason: "shard \"\(shard.file)\" is not a plain file name")
                    }
                    guard fm.fileExists(atPath: path(shard.file)) else {
                        throw CurationError.io(path: path(name), reason: "lists shard \(shard.file), which is missing")
                    }
                    files.append(path(shard.file))
                }
            }
            // --allow-incomplete: an unfinished prefix has no manifest yet; read the shards it has.
            for marker in markers {
                let prefix = String(marker.dropLast(ShardedOutput.markerSuffix.count))
                guard !prefixes.contains(prefix) else { continue }
                files.append(contentsOf: names.filter { $0.hasPrefix(prefix + "-") && isDataFile($0) }.sorted().map(path))
            }
            return files
        }
        // Sorted as full paths would sort: a directory "a" sorts as "a/", after "a.jsonl".
        var entries: [(key: String, name: String, isDir: Bool)] = []
        for name in names {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path(name), isDirectory: &isDir) else { continue }
            if isDir.boolValue { entries.append((name + "/", name, true)) } else if isDataFile(name) { entries.append((name, name, false)) }
        }
        var files: [String] = []
        for e in entries.sorted(by: { $0.key < $1.key }) {
            if e.isDir {
                files.append(contentsOf: try directoryFiles(path(e.name), allowIncomplete: allowIncomplete, depth: depth + 1, sawManifest: &sawManifest))
            } else {
                files.append(path(e.name))
            }
        }
        return files
    }

    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var result: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { result.append(String(cString: p)) }
        }
        return result
    }
}

private extension Character {
    /// 0-9 only (`isNumber` also takes other scripts' digits and fractions).
    var isASCIIDigitLike: Bool { isASCII && isNumber }
}
