import Curation
import Foundation

/// Fixtures and output readers of the mix and run tests (the tool itself runs through `CLI`).
enum MixCLI {
    static func fixture(_ name: String) -> String { CLI.fixture("mixer/\(name)") }

    static func tempDir(_ tag: String = #function) -> String { CLI.tempDir("mix-" + tag.filter { $0.isLetter }) }

    /// The shard files' bytes of an output directory, in manifest order.
    static func shards(_ dir: String) throws -> [Data] {
        let m = try Manifest.load(Manifest.path(directory: dir, prefix: "part"))
        return m.shards.compactMap { FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent($0.file)) }
    }

    static func lines(_ dir: String) throws -> [String] {
        let m = try Manifest.load(Manifest.path(directory: dir, prefix: "part"))
        var out: [String] = []
        for s in m.shards {
            try LineReader(path: (dir as NSString).appendingPathComponent(s.file)).forEachLine { l, _, _ in out.append(String(decoding: l, as: UTF8.self)) }
        }
        return out
    }
}
