import Curation
import Foundation
import Testing

/// The Parquet writer (`ShardedWriter` with `format: .parquet`, issue 19 item 2): what it writes reads
/// back through our reader as the same records (under the schema rules: a missing key reads as null, an
/// integer in a float column as a float), shards like JSONL, is deterministic, and refuses a record that
/// cannot fit the schema by naming the record and the field.
@Suite struct ParquetWriterTests {
    static let records: [String] = [
        #"{"id":"a","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello, wörld ✓ 🎉"}],"score":1,"ok":true,"tags":["x","y"]}"#,
        #"{"id":"b","messages":[],"score":2.5,"ok":null,"tags":[],"meta":{"source":"s1","n":3}}"#,
        #"{"id":"c","messages":[{"role":"user","content":"line\nbreak \"quoted\" \\ tab\t","name":"bob"}],"tags":null,"extra":null}"#,
        #"{"id":"d","messages":null,"score":-7,"ok":false,"tags":["z",null],"meta":{"n":null,"deep":{"k":[1,2,3]}}}"#,
        #"{"id":"e","messages":[{"role":"system","content":""},null],"score":1e3,"meta":{}}"#,
        #"{"id":"f","nested":[[1,2],[],null,[3.5]],"empty_obj":{},"unicode":"日本語 \u00e9 \ud83d\ude00"}"#,
    ]

    static func write(_ lines: [String], to dir: String, _ options: ShardOptions) throws -> Manifest {
        let w = try ShardedWriter(directory: dir, options: options)
        for l in lines { try Array(l.utf8).withUnsafeBytes { try w.write(line: $0) } }
        return try w.finish()
    }

    static func parquetOptions(_ codec: ParquetWriteOptions.Codec = .zstd, rowGroup: Int = 10_000, maxRecords: Int? = nil,
                               json: [String] = []) -> ShardOptions {
        ShardOptions(maxRecords: maxRecords, format: .parquet,
                     parquet: ParquetWriteOptions(codec: codec, rowGroupRows: rowGroup, pageBytes: 64, jsonColumns: json))
    }

    static func readAll(_ dir: String, _ m: Manifest) throws -> [JSONValue] {
        try m.shards.flatMap { s in try ParquetFile(path: dir + "/" + s.file).jsonLines().map { try JSONParser.parse($0) } }
    }

    /// Equal as records: a key missing on one side equals null on the other, numbers compare by value.
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return Double(x) == Double(y)
        case (.string(let x), .string(let y)): return x == y
        case (.string("{}"), .object(let y)) where y.entries.isEmpty: return true   // an object never seen with a key: JSON text
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x), .object(let y)):
            let keys = Set(x.keys).union(y.keys)
            return keys.allSatisfy { same(x[$0] ?? .null, y[$0] ?? .null) }
        default: return false
        }
    }

    func roundTrip(_ codec: ParquetWriteOptions.Codec, rowGroup: Int) throws {
        let dir = temporaryDirectory("pqw-\(codec)-\(rowGroup)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try Self.write(Self.records, to: dir, Self.parquetOptions(codec, rowGroup: rowGroup))
        #expect(m.format == .parquet)
        #expect(m.shards.map(\.file) == ["part-00000.parquet"])
        let got = try Self.readAll(dir, m)
        #expect(got.count == Self.records.count)
        for (k, (g, line)) in zip(got, Self.records).enumerated() {
            let want = try JSONParser.parse(line)
            #expect(Self.same(g, want), "row \(k): got \(JSONWriter.string(g)) want \(line)")
        }
        #expect(m.verify(directory: dir).isEmpty)
    }

    @Test func roundTripZstd() throws { try roundTrip(.zstd, rowGroup: 10_000) }
    @Test func roundTripSnappySmallRowGroups() throws { try roundTrip(.snappy, rowGroup: 2) }
    @Test func roundTripUncompressedOneRowPerGroup() throws { try roundTrip(.none, rowGroup: 1) }

    @Test func schemaFollowsTheRules() throws {
        let dir = temporaryDirectory("pqw-schema")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try Self.write(Self.records, to: dir, Self.parquetOptions())
        let file = try ParquetFile(path: dir + "/" + m.shards[0].file)
        let columns = Dictionary(uniqueKeysWithValues: file.schema.columns.map { ($0.dottedPath, $0) })
        #expect(file.schema.fieldNames == ["id", "messages", "score", "ok", "tags", "meta", "extra", "nested", "empty_obj", "unicode"])
        #expect(columns["score"]?.physicalType == .double)          // 1, 2.5, -7, 1e3: widened
        #expect(columns["meta.deep.k.list.element"]?.physicalType == .int64)
        #expect(columns["messages.list.element.content"]?.logicalType == .string)
        #expect(columns["messages.list.element.content"]?.maxRepetitionLevel == 1)
        #expect(columns["messages.list.element.content"]?.maxDefinitionLevel == 4)
        #expect(columns["extra"]?.physicalType == .byteArray)        // only nulls: a nullable string
        #expect(columns["empty_obj"]?.logicalType == .string)        // never a key: JSON text
        #expect(columns["nested.list.element.list.element"]?.maxRepetitionLevel == 2)
        #expect(file.createdBy?.hasPrefix("curate") == true)
        // A struct reads back with every key of the union; missing ones as null.
        let rows = try file.jsonLines().map { String(decoding: $0, as: UTF8.self) }
        #expect(rows[0].contains(#"{"role":"user","content":"Hi","name":null}"#), "\(rows[0])")
        #expect(rows[5].contains(#""empty_obj":"{}""#), "\(rows[5])")
    }

    @Test func jsonColumnsKeepJSONText() throws {
        let dir = temporaryDirectory("pqw-jsoncol")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = [#"{"id":1,"meta":{"a":[1,"x"]}}"#, #"{"id":2,"meta":"plain"}"#, #"{"id":3,"meta":null}"#]
        let m = try Self.write(lines, to: dir, Self.parquetOptions(json: ["meta"]))
        let rows = try ParquetFile(path: dir + "/" + m.shards[0].file).jsonLines().map { String(decoding: $0, as: UTF8.self) }
        #expect(rows == [#"{"id":1,"meta":"{\"a\":[1,\"x\"]}"}"#, #"{"id":2,"meta":"\"plain\""}"#, #"{"id":3,"meta":null}"#])
    }

    @Test func shardsUnderMaxRecordsMatchJSONL() throws {
        let dir = temporaryDirectory("pqw-shards")
        let jdir = temporaryDirectory("pqw-shards-jsonl")
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: jdir) }
        let lines = (0..<25).map { #"{"id":"r\#($0)","n":\#($0),"text":"\#(String(repeating: "ab", count: $0))"}"# }
        let m = try Self.write(lines, to: dir, Self.parquetOptions(rowGroup: 4, maxRecords: 10))
        let j = try Self.write(lines, to: jdir, ShardOptions(compression: .none, maxRecords: 10))
        #expect(m.shards.map(\.file) == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"])
        #expect(m.shards.map(\.records) == [10, 10, 5])
        // The same JSON bytes and hashes as the JSONL output of the same records.
        #expect(m.shards.map(\.bytes) == j.shards.map(\.bytes))
        #expect(m.shards.map(\.xxh3_128) == j.shards.map(\.xxh3_128))
        let got = try Self.readAll(dir, m)
        #expect(got.map { $0["id"]?.stringValue ?? "" } == (0..<25).map { "r\($0)" })
        // Every shard has the one union schema.
        let schemas = try m.shards.map { try ParquetFile(path: dir + "/" + $0.file).schema.columns.map(\.dottedPath) }
        #expect(Set(schemas.map { $0.joined(separator: ",") }).count == 1)
        #expect(try ParquetFile(path: dir + "/part-00000.parquet").rowGroups.map(\.rows) == [4, 4, 2])
        let reloaded = try Manifest.load(Manifest.path(directory: dir, prefix: "part"))
        #expect(reloaded == m)
        #expect(!FileManager.default.fileExists(atPath: ShardedOutput.markerPath(directory: dir, prefix: "part")))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func sameBytesTwice() throws {
        let a = temporaryDirectory("pqw-det-a"), b = temporaryDirectory("pqw-det-b")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        let lines = (0..<300).map { #"{"id":"\#($0)","x":\#(Double($0) / 7),"s":"v\#($0 % 13)","l":[\#($0),\#($0 + 1)]}"# } + Self.records
        for codec in ParquetWriteOptions.Codec.allCases {
            let ma = try Self.write(lines, to: a, Self.parquetOptions(codec, rowGroup: 50))
            let mb = try Self.write(lines, to: b, Self.parquetOptions(codec, rowGroup: 50))
            #expect(ma == mb)
            let fa = try Data(contentsOf: URL(fileURLWithPath: a + "/part-00000.parquet"))
            let fb = try Data(contentsOf: URL(fileURLWithPath: b + "/part-00000.parquet"))
            #expect(fa == fb, "\(codec)")
        }
    }

    @Test func unfitRecordIsNamed() throws {
        let dir = temporaryDirectory("pqw-unfit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try ShardedWriter(directory: dir, options: Self.parquetOptions())
        let good = try RawRecord(bytes: Array(#"{"id":"ok","messages":[{"role":"user","content":"x"}]}"#.utf8),
                                 location: SourceLocation(file: "in.jsonl", line: 1, offset: 0))
        let bad = try RawRecord(bytes: Array(#"{"id":"bad-7","messages":[{"role":"user","content":["x"]}]}"#.utf8),
                                location: SourceLocation(file: "in.jsonl", line: 2, offset: 60))
        try w.write(good)
        do {
            try w.write(bad)
            Issue.record("expected an error")
        } catch let e as CurationError {
            let text = e.description
            #expect(text.contains("in.jsonl:2") && text.contains("bad-7") && text.contains("messages[].content"), "\(text)")
            #expect(text.contains("a list where earlier records have a string"), "\(text)")
        }
        // The refused record left the schema as it was; with a reject hook it goes there and the stage goes on.
        var rejected: [String] = []
        w.rejectUnfit = { line, error in rejected.append(String(decoding: line, as: UTF8.self) + " | " + error.description) }
        try w.write(bad)
        try w.write(try RawRecord(bytes: Array(#"{"id":"new","messages":null,"extra":[true]}"#.utf8),
                                  location: SourceLocation(file: "in.jsonl", line: 3, offset: 120)))
        let m = try w.finish()
        #expect(m.records == 2)
        #expect(w.rejectedUnfit == 1)
        #expect(rejected.count == 1 && rejected[0].contains("bad-7"))
        let rows = try ParquetFile(path: dir + "/part-00000.parquet").jsonLines().map { String(decoding: $0, as: UTF8.self) }
        #expect(rows == [#"{"id":"ok","messages":[{"role":"user","content":"x"}],"extra":null}"#,
                         #"{"id":"new","messages":null,"extra":[true]}"#])
    }

    @Test func mixedIntFloatAndBigIntegersWiden() throws {
        let dir = temporaryDirectory("pqw-widen")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = [#"{"a":1,"b":9223372036854775807,"c":-9223372036854775808}"#, #"{"a":0.5,"b":1,"c":99999999999999999999}"#]
        let m = try Self.write(lines, to: dir, Self.parquetOptions())
        let file = try ParquetFile(path: dir + "/" + m.shards[0].file)
        #expect(file.schema.columns.map(\.physicalType) == [.double, .int64, .double])
        let rows = try file.jsonLines().map { try JSONParser.parse($0) }
        #expect(rows[0]["b"]?.intValue == Int.max)
        #expect(rows[0]["a"]?.doubleValue == 1 && rows[1]["a"]?.doubleValue == 0.5)
    }

    @Test func thriftAndLevelsEdgeCases() throws {
        // Many columns (list headers past 15 elements, field ids past delta 15) and long runs of levels.
        let dir = temporaryDirectory("pqw-wide")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keys = (0..<40).map { "k\($0)" }
        let lines = (0..<100).map { r in
            "{" + keys.enumerated().map { k, key in "\"\(key)\":" + ((r + k) % 5 == 0 ? "null" : "\(r * k)") }.joined(separator: ",") + "}"
        }
        let m = try Self.write(lines, to: dir, Self.parquetOptions(.snappy, rowGroup: 33))
        let got = try Self.readAll(dir, m)
        for (g, l) in zip(got, lines) { #expect(Self.same(g, try JSONParser.parse(l))) }
    }

    @Test func emptyOutputAndBadRecords() throws {
        let dir = temporaryDirectory("pqw-empty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try Self.write([], to: dir, Self.parquetOptions())
        #expect(m.shards.isEmpty && m.format == .parquet)
        let w = try ShardedWriter(directory: dir, options: Self.parquetOptions())
        for bad in ["[1,2]", #"{"a":1"#, #"{"a":1,"a":2}"#] {
            #expect(throws: CurationError.self) { try Array(bad.utf8).withUnsafeBytes { try w.write(line: $0) } }
        }
    }

    @Test func dictionaryForRepeatedStringsPlainForUniqueOnes() throws {
        let a = temporaryDirectory("pqw-dict-a"), b = temporaryDirectory("pqw-dict-b")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        let roles = ["user", "assistant", "system"]
        let lines = (0..<500).map { k in
            #"{"id":"u\#(k)","role":"\#(roles[k % 3])","source":"\#(k % 7 == 0 ? "" : "tulu-3-sft-mixture")","tags":["\#(roles[k % 2])","x"],"text":"unique text \#(k) \#(String(repeating: "z", count: k % 17))"}"#
        }
        var withDict = Self.parquetOptions(.none, rowGroup: 200)
        var plain = withDict
        plain.parquet.dictionary = false
        let ma = try Self.write(lines, to: a, withDict)
        let mb = try Self.write(lines, to: b, plain)
        #expect(ma.shards[0].compressedBytes < mb.shards[0].compressedBytes)
        for (dir, m) in [(a, ma), (b, mb)] {
            let got = try Self.readAll(dir, m)
            #expect(got.count == lines.count)
            for (g, l) in zip(got, lines) { #expect(Self.same(g, try JSONParser.parse(l)), "\(JSONWriter.string(g))") }
        }
    }

    /// Where the writer's fast scans could go wrong: an escaped quote or backslash next to the closing
    /// quote, strings of escapes only, a `\u`-escaped quote or backslash (the shredder's memchr search),
    /// long plain runs before non-ASCII text or an escape (the schema inferrer's 32-byte steps), and a
    /// key spelled with an escape in one record and plainly in another (keys compared in place).
    @Test func escapesAndLongStringsRoundTrip() throws {
        let dir = temporaryDirectory("pqw-escapes")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let long = String(repeating: "plain text ", count: 9)
        let lines = [
            #"{"s":"a\"","k":"\\"}"#,
            #"{"s":"\"\"\"","k":"x\\\"y\\"}"#,
            #"{"s":"\u0022q\u005c","k":"\\\\\\"}"#,
            #"{"s":"\#(long)é\#(long)\n\#(long)\"","k":""}"#,
            #"{"\u0073":"escaped key","k":"\ud83d\ude00\#(long)"}"#,
            #"{"s":"\#(long)\#(long)\#(long)","k":"\#(long)\\"}"#,
        ]
        for codec in ParquetWriteOptions.Codec.allCases {
            let m = try Self.write(lines, to: dir, Self.parquetOptions(codec, rowGroup: 4))
            let got = try Self.readAll(dir, m)
            #expect(got.count == lines.count)
            for (g, l) in zip(got, lines) { #expect(Self.same(g, try JSONParser.parse(l)), "\(codec): \(JSONWriter.string(g)) want \(l)") }
        }
        // The 32-byte steps still stop at (and refuse) bad bytes after a long plain run.
        let w = try ShardedWriter(directory: dir, options: Self.parquetOptions())
        let prefix = Array(#"{"s":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 70)
        for bad in [prefix + [0xC3, 0x28] + Array(#""}"#.utf8), prefix + [0x01] + Array(#""}"#.utf8), prefix] {
            #expect(throws: CurationError.self) { try bad.withUnsafeBytes { try w.write(line: $0) } }
        }
    }

    @Test func oldManifestsStillDecode() throws {
        let old = #"{"version":1,"prefix":"part","compression":"zstd","records":1,"bytes":3,"compressed_bytes":12,"shards":[{"file":"part-00000.jsonl.zst","records":1,"bytes":3,"compressed_bytes":12,"xxh3_128":"00"}]}"#
        let m = try JSONDecoder().decode(Manifest.self, from: Data(old.utf8))
        #expect(m.format == .jsonl && m.parquetCodec == nil && m.records == 1)
        let text = String(decoding: try m.jsonBytes(), as: UTF8.self)
        #expect(text.contains(#""format" : "jsonl""#), "\(text)")
    }
}
