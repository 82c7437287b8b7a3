import Curation
import Foundation
import Testing

/// Issue 13, items 4, 9, 18, 19 (BOM) and 20: long lines, incomplete outputs, typed reasons, BOMs.
@Suite struct DataPlaneHardeningTests {
    /// Writes `lines` as one zstd shard (ShardedWriter does not validate, so any bytes go) and returns its path.
    func zstdFile(_ dir: String, _ lines: [[UInt8]]) throws -> String {
        let w = try ShardedWriter(directory: dir, options: ShardOptions(prefix: "in", compression: .zstd))
        for l in lines { try l.withUnsafeBytes { try w.write(line: $0) } }
        let m = try w.finish()
        return dir + "/" + m.shards[0].file
    }

    static let good1 = Array(#"{"id":"a","text":"one"}"#.utf8)
    static let good2 = Array(#"{"id":"b","text":"two"}"#.utf8)
    static func long(_ n: Int) -> [UInt8] { Array(#"{"id":"x","text":""#.utf8) + [UInt8](repeating: 0x61, count: n) + Array(#""}"#.utf8) }

    // MARK: - Item 4: --max-line-bytes

    @Test func tooLongLineIsReadPastWithoutBufferingIt() throws {
        let dir = temporaryDirectory("long")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let big = Self.long(5_000_000)
        let file = try zstdFile(dir, [Self.good1, big, Self.good2])
        let reader = try LineReader(path: file, maxLineBytes: 1000)
        var good: [Int] = []
        var long: [(line: Int, length: Int, prefix: [UInt8])] = []
        try reader.forEachLine({ _, n, _ in good.append(n) }, tooLong: { long.append(($0.line, $0.length, Array($0.prefix))) })
        #expect(good == [1, 3])
        #expect(long.count == 1)
        #expect(long.first?.line == 2)
        #expect(long.first?.length == big.count)
        #expect(long.first?.prefix == Array(big.prefix(1000)))
        // Memory held for the line never passes the limit, however long the line.
        #expect(reader.peakLineBufferBytes <= 1000)
        #expect(reader.bytesRead == Self.good1.count + big.count + Self.good2.count + 3)
    }

    @Test func tooLongLineIsSkippedAndCountedUnderSkip() throws {
        let dir = temporaryDirectory("longskip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try zstdFile(dir, [Self.good1, Self.long(3_000_000), Self.good2, Self.long(2000)])
        for batched in [false, true] {
            let rej = RejectedWriter(directory: dir, name: "rej\(batched)")
            let reader = RecordReader(files: [file], policy: .skip, rejected: rej, options: ReadOptions(maxLineBytes: 1000))
            var ids: [String] = []
            if batched {
                try reader.forEachBatch(batchBytes: 100) { batch in
                    for r in try reader.absorb(batch, RecordReader.parse(batch)) { ids.append(try r.requiredString("id")) }
                }
            } else {
                try reader.forEach { ids.append(try $0.requiredString("id")) }
            }
            try rej.finish()
            #expect(ids == ["a", "b"])
            #expect(reader.counts.records == 2)
            #expect(reader.counts.rejected == 2)
            #expect(reader.counts.rejectedByReason == ["line-too-long": 2])
            // rejected.jsonl keeps the first 1000 bytes (the limit; at most 1 KiB) of each, line for line.
            let kept = try #require(FileManager.default.contents(atPath: rej.path))
            #expect(kept.count == 2 * 1001)
            let reasons = try String(contentsOfFile: rej.reasonsPath, encoding: .utf8)
            #expect(reasons.contains("line of \(Self.long(3_000_000).count) bytes"), "\(reasons)")
            #expect(reasons.contains(#""kind":"line-too-long""#))
        }
    }

    @Test func tooLongLineIsFatalUnderFail() throws {
        let dir = temporaryDirectory("longfail")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try zstdFile(dir, [Self.good1, Self.long(100_000)])
        let reader = RecordReader(files: [file], options: ReadOptions(maxLineBytes: 50_000))
        do {
            try reader.forEach { _ in }
            Issue.record("no error")
        } catch let e as CurationError {
            guard case .badRecord(let loc, let reason, let kind) = e else { Issue.record("\(e)"); return }
            #expect(kind == .lineTooLong)
            #expect(loc.line == 2 && loc.offset == Self.good1.count + 1)
            #expect(reason.contains("--max-line-bytes"))
        }
    }

    @Test func linesAtTheLimitAreRead() throws {
        let dir = temporaryDirectory("atlimit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let exact = Self.long(1000 - Self.long(0).count)
        #expect(exact.count == 1000)
        let file = try zstdFile(dir, [exact, Self.good1])
        var n = 0
        try RecordReader(files: [file], options: ReadOptions(maxLineBytes: 1000)).forEach { _ in n += 1 }
        #expect(n == 2)
    }

    // MARK: - Item 19: byte order marks

    @Test func byteOrderMarkAtTheStartIsStripped() throws {
        let dir = temporaryDirectory("bom")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plain = dir + "/bom.jsonl"
        FileManager.default.createFile(atPath: plain, contents: Data([0xEF, 0xBB, 0xBF] + Self.good1 + [0x0A] + Self.good2 + [0x0A]))
        let zst = try zstdFile(dir, [[0xEF, 0xBB, 0xBF] + Self.good1, Self.good2])
        for file in [plain, zst] {
            var ids: [String] = []
            try RecordReader(files: [file]).forEach { ids.append(try $0.requiredString("id")) }
            #expect(ids == ["a", "b"])
        }
    }

    /// Found by the json fuzz target: a file holding only a BOM has no line at all (not one blank or
    /// rejected line), so records + rejected + blank stays equal to the lines a user would count.
    @Test func fileOfOnlyAByteOrderMarkHoldsNoLine() throws {
        let dir = temporaryDirectory("bom3")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/bom.jsonl"
        FileManager.default.createFile(atPath: file, contents: Data([0xEF, 0xBB, 0xBF]))
        let reader = RecordReader(files: [file], policy: .skip)
        var n = 0
        try reader.forEach { _ in n += 1 }
        #expect(n == 0)
        #expect(reader.counts.records == 0 && reader.counts.rejected == 0 && reader.counts.blankLines == 0)
    }

    @Test func byteOrderMarkElsewhereIsNamed() throws {
        let dir = temporaryDirectory("bom2")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/bom.jsonl"
        FileManager.default.createFile(atPath: file, contents: Data(Self.good1 + [0x0A, 0xEF, 0xBB, 0xBF] + Self.good2 + [0x0A]))
        do {
            try RecordReader(files: [file]).forEach { _ in }
            Issue.record("no error")
        } catch let e as CurationError {
            #expect(e.description.contains(":2 "))
            #expect(e.description.contains("byte order mark"), "\(e)")
        }
    }

    // MARK: - Item 18: typed reasons

    @Test func rejectionReasonsComeFromTheErrorNotItsWording() throws {
        let loc = SourceLocation(file: "f", line: 1, offset: 0)
        let bad: [([UInt8], RejectionReason)] = [
            (Array(#"{"a":"\#u{1}"}"#.utf8), .malformedJSON),
            ([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D], .invalidUTF8),
            (Array(#"{"a":1"#.utf8), .malformedJSON),
        ]
        for (bytes, kind) in bad {
            #expect(throws: CurationError.self) { try RawRecord(bytes: bytes, location: loc) }
            do { _ = try RawRecord(bytes: bytes, location: loc) } catch let e as CurationError { #expect(e.rejectionReason == kind, "\(e)") }
        }
        // Field names that contain the words the old substring match looked for do not change the reason.
        let r = try RawRecord(bytes: Array(#"{"UTF-8 text":1}"#.utf8), location: loc)
        #expect(r.missing("not UTF-8 should be ").rejectionReason == .missingField)
        #expect(r.typeError("UTF-8 text", expected: "string").rejectionReason == .wrongType)
        let reader = RecordReader(files: [], policy: .skip)
        try [UInt8]().withUnsafeBytes { b in
            try reader.reject(b, error: r.missing("UTF-8 text"))
            try reader.reject(b, error: r.typeError("UTF-8 text", expected: "missing required field"))
        }
        #expect(reader.counts.rejectedByReason == ["missing-field": 1, "wrong-type": 1])
    }

    // MARK: - Item 9: incomplete and stale output directories

    func writeOutput(_ dir: String, records: Int, perShard: Int, prefix: String = "part") throws -> Manifest {
        let w = try ShardedWriter(directory: dir, options: ShardOptions(prefix: prefix, maxRecords: perShard))
        for i in 0..<records { try w.write(try RawRecord(bytes: Array(#"{"id":"\#(i)"}"#.utf8), location: .init(file: "", line: 0, offset: 0))) }
        return try w.finish()
    }

    func count(_ dir: String, allowIncomplete: Bool = false) throws -> Int {
        var n = 0
        try RecordReader(files: try InputFiles.resolve([dir], allowIncomplete: allowIncomplete)).forEach { _ in n += 1 }
        return n
    }

    @Test func killedRerunOverAnOldOutputIsRefused() throws {
        let dir = temporaryDirectory("rerun")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try writeOutput(dir, records: 100, perShard: 10)
        #expect(try count(dir) == 100)
        // The re-run writes new shards and is killed before its manifest: the old manifest must be gone
        // and the directory marked, so the mix of old and new shards is never read as an output.
        let rerun = try ShardedWriter(directory: dir, options: ShardOptions(prefix: "part", maxRecords: 10))
        for i in 0..<25 { try rerun.write(try RawRecord(bytes: Array(#"{"id":"new\#(i)"}"#.utf8), location: .init(file: "", line: 0, offset: 0))) }
        #expect(!FileManager.default.fileExists(atPath: dir + "/part.manifest.json"))
        #expect(FileManager.default.fileExists(atPath: dir + "/part.incomplete"))
        do {
            _ = try InputFiles.resolve([dir])
            Issue.record("an incomplete directory was read")
        } catch let e as CurationError {
            #expect(e.description.contains("part.incomplete"), "\(e)")
            #expect(e.description.contains("--allow-incomplete"), "\(e)")
        }
        // --allow-incomplete reads what is there: the plain shard files.
        #expect(try count(dir, allowIncomplete: true) == 100)
        // Finishing replaces the marker with the manifest and removes the stale shards.
        let m = try rerun.finish()
        #expect(m.records == 25)
        #expect(!FileManager.default.fileExists(atPath: dir + "/part.incomplete"))
        #expect(try count(dir) == 25)
    }

    @Test func aManifestDirectoryReadsExactlyItsShards() throws {
        let dir = temporaryDirectory("manifest")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try writeOutput(dir, records: 30, perShard: 10)
        // Stray files a reader must ignore: a shard of an older, longer run, rejected lines, a subdirectory.
        try FileManager.default.copyItem(atPath: dir + "/part-00000.jsonl.zst", toPath: dir + "/part-00007.jsonl.zst")
        try Data(#"{"id":"rejected"}"#.utf8 + [0x0A]).write(to: URL(fileURLWithPath: dir + "/rejected.jsonl"))
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try Data(#"{"id":"sub"}"#.utf8 + [0x0A]).write(to: URL(fileURLWithPath: dir + "/sub/x.jsonl"))
        let files = try InputFiles.resolve([dir])
        #expect(files == m.shards.map { dir + "/" + $0.file })
        #expect(try count(dir) == 30)
        // A manifest naming a missing shard is an error, not a silent short read.
        try FileManager.default.removeItem(atPath: dir + "/part-00001.jsonl.zst")
        #expect(throws: CurationError.self) { try InputFiles.resolve([dir]) }
    }

    @Test func aDirectoryWithoutManifestIsReadAsPlainFiles() throws {
        let dir = temporaryDirectory("plain")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/data/a", withIntermediateDirectories: true)
        for p in ["data/b.jsonl", "data/a/x.jsonl", "data/a.jsonl", "top.jsonl"] {
            try Data(#"{"id":"\#(p)"}"#.utf8 + [0x0A]).write(to: URL(fileURLWithPath: dir + "/" + p))
        }
        // Nested outputs with manifests inside a plain tree are read through their manifests.
        _ = try writeOutput(dir + "/data/out", records: 5, perShard: 2)
        try FileManager.default.copyItem(atPath: dir + "/data/out/part-00000.jsonl.zst", toPath: dir + "/data/out/part-00009.jsonl.zst")
        let files = try InputFiles.resolve([dir]).map { String($0.dropFirst(dir.count + 1)) }
        #expect(files == ["data/a.jsonl", "data/a/x.jsonl", "data/b.jsonl",
                          "data/out/part-00000.jsonl.zst", "data/out/part-00001.jsonl.zst", "data/out/part-00002.jsonl.zst", "top.jsonl"])
    }

    @Test func temporariesOfAKilledWriterAreRemovedByTheNextWriter() throws {
        let dir = temporaryDirectory("tmp")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // PIDs above the kernel's maximum never belong to a live process.
        let dead = dir + "/.part-00003.jsonl.zst.tmp-2147483000"
        let otherPrefix = dir + "/.other-00000.jsonl.zst.tmp-2147483000"
        let live = dir + "/.part-00004.jsonl.zst.tmp-1"
        for p in [dead, otherPrefix, live] { FileManager.default.createFile(atPath: p, contents: Data([1, 2, 3])) }
        _ = try writeOutput(dir, records: 3, perShard: 10)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: otherPrefix))
        #expect(FileManager.default.fileExists(atPath: live)) // pid 1 is alive: not ours to remove
    }

    @Test func anEmptyCompleteOutputReadsAsNoRecords() throws {
        let dir = temporaryDirectory("empty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try writeOutput(dir, records: 0, perShard: 10)
        #expect(try InputFiles.resolve([dir]).isEmpty)
    }
}
