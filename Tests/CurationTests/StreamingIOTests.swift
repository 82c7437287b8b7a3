import Curation
import Foundation
import Testing

@Suite struct StreamingIOTests {
    func readAll(_ path: String) throws -> [RawRecord] {
        var out: [RawRecord] = []
        try RecordReader(files: [path]).forEach { out.append($0) }
        return out
    }

    @Test(arguments: ["train/chat.jsonl", "train/chat.jsonl.zst", "train/chat.jsonl.gz"])
    func everyFormatReadsTheSameRecords(file: String) throws {
        let plain = try readAll(FixturePath.path("train/chat.jsonl"))
        let other = try readAll(FixturePath.path(file))
        #expect(plain.count == 80)
        #expect(plain.map(\.bytes) == other.map(\.bytes))
    }

    @Test(arguments: [Compression.none, .zstd, .gzip])
    func roundTripIsByteIdenticalForEverySchema(compression: Compression) throws {
        let dir = temporaryDirectory("rt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try InputFiles.resolve([FixturePath.path("train")]).filter { $0.hasSuffix(".jsonl") }
        var original: [[UInt8]] = []
        let writer = try ShardedWriter(directory: dir, options: ShardOptions(prefix: "rt", compression: compression, maxRecords: 50))
        try RecordReader(files: files).forEach { original.append($0.bytes); try writer.write($0) }
        let manifest = try writer.finish()
        #expect(manifest.records == original.count)
        #expect(manifest.shards.count == (original.count + 49) / 50)
        #expect(manifest.verify(directory: dir).isEmpty)
        let back = try RecordReader(files: try InputFiles.resolve([dir])).map { $0.bytes }
        #expect(back == original)
        // Raw bytes on disk equal the input lines exactly (plain output only).
        if compression == .none {
            let joined = try files.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
            let written = try manifest.shards.map { try String(contentsOfFile: dir + "/" + $0.file, encoding: .utf8) }.joined()
            #expect(joined == written)
        }
    }

    @Test func byteLimitRollsOverWithoutSplittingRecords() throws {
        let dir = temporaryDirectory("bytes")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try ShardedWriter(directory: dir, options: ShardOptions(prefix: "b", maxBytes: 1000))
        try RecordReader(files: [FixturePath.path("train/documents.jsonl")]).forEach { try w.write($0) }
        let m = try w.finish()
        #expect(m.records == 60)
        for s in m.shards { #expect(s.bytes <= 1000 || s.records == 1) }
        #expect(m.verify(directory: dir).isEmpty)
    }

    @Test func propertyRandomRecordsRandomLimits() throws {
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<8 {
            let dir = temporaryDirectory("prop\(trial)")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let n = Int.random(in: 0...300, using: &rng)
            var lines: [[UInt8]] = []
            for i in 0..<n {
                var o = JSONObject()
                o["id"] = .string("r\(i)")
                o["text"] = .string(String((0..<Int.random(in: 0...200, using: &rng)).map { _ in "aé 漢\n\"\\{}".randomElement()! }))
                o["n"] = .double(Double.random(in: -1e6...1e6, using: &rng))
                lines.append(JSONWriter.bytes(.object(o)))
            }
            let opts = ShardOptions(prefix: "p", compression: [.none, .zstd, .gzip].randomElement()!,
                                    maxRecords: Bool.random() ? Int.random(in: 1...50, using: &rng) : nil,
                                    maxBytes: Bool.random() ? Int.random(in: 1...5000, using: &rng) : nil)
            let w = try ShardedWriter(directory: dir, options: opts)
            for l in lines { try l.withUnsafeBytes { try w.write(line: $0) } }
            let m = try w.finish()
            #expect(m.records == n)
            #expect(m.verify(directory: dir).isEmpty)
            let back = n == 0 ? [] : try RecordReader(files: try InputFiles.resolve([dir])).map { $0.bytes }
            #expect(back == lines)
        }
    }

    @Test func unfinishedWriterLeavesNoCompleteLookingShard() throws {
        let dir = temporaryDirectory("kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let w = try ShardedWriter(directory: dir, options: ShardOptions(prefix: "k"))
            try RecordReader(files: [FixturePath.path("train/chat.jsonl")]).forEach { try w.write($0) }
            // No finish(): the writer is dropped mid-shard, as a killed run would leave it.
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        // Only hidden temporaries and the marker that says the output is unfinished (readers refuse it).
        #expect(names.allSatisfy { $0.hasPrefix(".") || $0 == "k.incomplete" }, "\(names)")
        #expect(names.contains("k.incomplete"))
        #expect(!names.contains("k-00000.jsonl.zst"))
    }

    @Test func staleShardsFromALongerEarlierRunAreRemoved() throws {
        let dir = temporaryDirectory("stale")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for limit in [10, 100] {
            let w = try ShardedWriter(directory: dir, options: ShardOptions(prefix: "s", maxRecords: limit))
            try RecordReader(files: [FixturePath.path("train/chat.jsonl")]).forEach { try w.write($0) }
            try w.finish()
        }
        let shards = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".zst") }
        #expect(shards == ["s-00000.jsonl.zst"])
    }
}

extension RecordReader {
    func map<T>(_ f: (RawRecord) throws -> T) throws -> [T] {
        var out: [T] = []
        try forEach { out.append(try f($0)) }
        return out
    }
}
