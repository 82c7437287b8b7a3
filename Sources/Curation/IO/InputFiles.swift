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
    }

    public static func resolve(_ specs: [String]) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for spec in specs {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: spec, isDirectory: &isDir) {
                if isDir.boolValue {
                    guard let e = fm.enumerator(atPath: spec) else { throw CurationError.io(path: spec, reason: "cannot list directory") }
                    var found: [String] = []
                    while let rel = e.nextObject() as? String {
                        let name = (rel as NSString).lastPathComponent
                        if name.hasPrefix(".") { e.skipDescendants(); continue }
                        if isDataFile(name) { found.append((spec as NSString).appendingPathComponent(rel)) }
                    }
                    if found.isEmpty { throw CurationError.io(path: spec, reason: "directory holds no .jsonl, .jsonl.zst or .jsonl.gz files") }
                    out.append(contentsOf: found.sorted())
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
