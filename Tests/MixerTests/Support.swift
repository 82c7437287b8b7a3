import Curation
import Foundation
import Mixer

/// Paths and helpers the mixer tests share.
enum Fx {
    static let root: URL = {
        var u = URL(fileURLWithPath: #filePath)
        while u.path != "/" {
            u.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: u.appendingPathComponent("Package.swift").path) { return u }
        }
        return u
    }()
    static func mixer(_ name: String) -> String { root.appendingPathComponent("Fixtures/mixer/\(name)").path }

    static func tempDir(_ tag: String = #function) -> String {
        let clean = tag.filter { $0.isLetter || $0.isNumber }
        let d = NSTemporaryDirectory() + "mixer-tests-\(clean)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// Writes a recipe text to a file and parses it.
    static func recipe(_ text: String, in dir: String) throws -> MixRecipe {
        let p = (dir as NSString).appendingPathComponent("recipe.yaml")
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return try MixRecipe.load(path: p)
    }

    /// Runs a mix into `dir/out` and returns the result and the output lines.
    static func mix(_ recipe: MixRecipe, dir: String, threads: Int = 1, memory: Int = 64 << 20, maxRecords: Int? = nil,
                    out: String = "out") throws -> (MixResult, [String]) {
        let o = (dir as NSString).appendingPathComponent(out)
        let r = try MixStage.run(recipe: recipe, outputDirectory: o,
                                 options: MixOptions(memoryLimit: memory, threads: threads, shard: ShardOptions(maxRecords: maxRecords)),
                                 tokenCounter: WhitespaceTokenCounter())
        return (r, try lines(o))
    }

    static func lines(_ dir: String) throws -> [String] {
        let m = try Manifest.load(Manifest.path(directory: dir, prefix: "part"))
        var out: [String] = []
        for s in m.shards {
            try LineReader(path: (dir as NSString).appendingPathComponent(s.file)).forEachLine { l, _, _ in
                out.append(String(decoding: l, as: UTF8.self))
            }
        }
        return out
    }

    static func shardBytes(_ dir: String) throws -> [Data] {
        let m = try Manifest.load(Manifest.path(directory: dir, prefix: "part"))
        return m.shards.compactMap { FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent($0.file)) }
    }

    static func object(_ line: String) throws -> JSONObject {
        guard let o = try JSONParser.parse(line).objectValue else { throw CurationError.invalidArgument("not an object") }
        return o
    }
}
