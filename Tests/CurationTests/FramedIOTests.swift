import Curation
import Foundation
import Testing

/// zstd frames listed in the manifest, byte-range slices (zstd frames and plain line-aligned ranges),
/// and `LineCuts`: the low-level IO a sharded run uses to share out pieces finer than files.
@Suite struct FramedIOTests {
    /// Deterministic records of varied lengths (30..~400 bytes), as JSON lines without newline.
    func lines(_ n: Int, seed: UInt64 = 7) -> [[UInt8]] {
        var state = seed
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        return (0..<n).map { k in
            let pad = String(repeating: "abcdefghij", count: Int(next() % 40))
            return Array("{\"id\":\(k),\"text\":\"\(pad)\"}".utf8)
        }
    }

    func writeShard(_ dir: String, _ lines: [[UInt8]], frameBytes: Int, workers: Int = 1,
                    compression: Compression = .zstd) throws -> Manifest {
        let w = try ShardedWriter(directory: dir, options: ShardOptions(prefix: "f", compression: compression, workers: workers,
                                                                        frameBytes: frameBytes))
        for l in lines { try l.withUnsafeBytes { try w.write(line: $0) } }
        return try w.finish()
    }

    func readAll(_ slices: [InputSlice]) throws -> (records: [RawRecord], counts: ReadCounts) {
        let r = RecordReader(slices: slices)
        var out: [RawRecord] = []
        try r.forEach { out.append($0) }
        return (out, r.counts)
    }

    func readBatches(_ slices: [InputSlice]) throws -> [(bytes: [UInt8], loc: Curation.SourceLocation)] {
        let r = RecordReader(slices: slices)
        var out: [(bytes: [UInt8], loc: Curation.SourceLocation)] = []
        try r.forEachBatch(batchBytes: 1000) { b in for l in b.lines { out.append((Array(b.bytes(l)), b.location(l))) } }
        return out
    }

    /// The error a throwing call ends with (nil: it did not throw).
    func error(_ body: () throws -> Void) -> Error? {
        do { try body(); return nil } catch { return error }
    }

    /// A frame's slice: its on-disk bytes, numbered as in the whole file.
    func slice(_ path: String, _ frames: [Manifest.Frame], _ run: Range<Int>) -> InputSlice {
        let before = frames[..<run.lowerBound]
        let start = frames[run.lowerBound].offset
        let end = frames[run.upperBound - 1].offset + frames[run.upperBound - 1].compressedBytes
        return InputSlice(file: path, byteRange: start..<end, firstLine: 1 + before.reduce(0) { $0 + $1.records },
                          firstOffset: before.reduce(0) { $0 + $1.bytes })
    }

    @Test func zstdFramesAreListedAndReadableOneRunAtATime() throws {
        let dir = temporaryDirectory("frames")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = lines(200)
        let frameBytes = 4096
        let manifest = try writeShard(dir, input, frameBytes: frameBytes)
        #expect(manifest.shards.count == 1)
        let shard = try #require(manifest.shards.first)
        let frames = try #require(shard.frames)
        #expect(frames.count > 5)
        #expect(frames.reduce(0) { $0 + $1.records } == shard.records)
        #expect(frames.reduce(0) { $0 + $1.bytes } == shard.bytes)
        #expect(frames.reduce(0) { $0 + $1.compressedBytes } == shard.compressedBytes)
        #expect(manifest.verify(directory: dir).isEmpty)
        // Every frame but the last reached frameBytes, and ended at the first line that got it there.
        var k = 0
        for (i, f) in frames.enumerated() {
            let sizes = input[k..<(k + f.records)].map { $0.count + 1 }
            #expect(sizes.reduce(0, +) == f.bytes)
            if i < frames.count - 1 {
                #expect(f.bytes >= frameBytes)
                #expect(f.bytes - (sizes.last ?? 0) < frameBytes)
            }
            k += f.records
        }

        let path = dir + "/" + shard.file
        let whole = try readAll([InputSlice(file: path)]).records
        #expect(whole.map(\.bytes) == input)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/zstd")
            p.arguments = ["-dc", path]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            #expect(Array(data) == Array(input.map { $0 + [0x0A] }.joined()))
        }

        // Each frame alone, and runs of two and three frames: the same records at the same locations.
        var runs = frames.indices.map { $0..<($0 + 1) }
        runs += stride(from: 0, to: frames.count - 1, by: 2).map { $0..<($0 + 2) }
        runs.append(1..<min(frames.count, 4))
        runs.append(0..<frames.count)
        for run in runs {
            let s = slice(path, frames, run)
            let first = s.firstLine - 1
            let count = frames[run].reduce(0) { $0 + $1.records }
            let expected = whole[first..<(first + count)]
            let (got, counts) = try readAll([s])
            #expect(got.map(\.bytes) == expected.map(\.bytes))
            #expect(got.map(\.location) == expected.map(\.location))
            #expect(counts.files == 1)
            #expect(counts.fileBytes == s.byteRange?.count)
            #expect(counts.bytes == frames[run].reduce(0) { $0 + $1.bytes })
            #expect(counts.emptyFiles.isEmpty)
            let batched = try readBatches([s])
            #expect(batched.map(\.bytes) == expected.map(\.bytes))
            #expect(batched.map(\.loc) == expected.map(\.location))
        }
        // Progress never passes the range.
        let s = slice(path, frames, 1..<3)
        let reader = try LineReader(path: path, range: s.byteRange, firstLine: s.firstLine, firstOffset: s.firstOffset)
        try reader.forEachLine { _, _, _ in }
        #expect(reader.fileBytesRead == reader.fileSize)
        #expect(reader.fileSize == s.byteRange?.count)
    }

    @Test func frameLayoutDoesNotDependOnWorkersOrBatching() throws {
        // ~600 KB: more than two of the writer's 256 KB batches, frames that straddle them, and one line
        // longer than a batch (written around the batch buffer).
        var input = lines(2500, seed: 11)
        input.insert(Array("{\"id\":\"long\",\"text\":\"\(String(repeating: "x", count: 300_000))\"}".utf8), at: 1200)
        let frameBytes = 100_000
        var layouts: [[Manifest.Frame]] = []
        var contents: [[UInt8]] = []
        for workers in [1, 2] {
            let dir = temporaryDirectory("frames-w\(workers)")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let m = try writeShard(dir, input, frameBytes: frameBytes, workers: workers)
            let shard = try #require(m.shards.first)
            layouts.append(shard.frames ?? [])
            contents.append(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + shard.file))))
        }
        #expect(layouts[0] == layouts[1])
        #expect(contents[0] == contents[1])
        // The layout is the line-level rule's, whatever the batches were: a frame ends after the first
        // line that brings it to frameBytes.
        var expected: [(bytes: Int, records: Int)] = []
        var bytes = 0, records = 0
        for l in input {
            if records > 0 && bytes >= frameBytes { expected.append((bytes, records)); bytes = 0; records = 0 }
            bytes += l.count + 1; records += 1
        }
        expected.append((bytes, records))
        #expect(layouts[0].map(\.bytes) == expected.map(\.bytes))
        #expect(layouts[0].map(\.records) == expected.map(\.records))
    }

    @Test func framesFollowShardRollover() throws {
        let dir = temporaryDirectory("frames-roll")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = lines(300, seed: 3)
        let w = try ShardedWriter(directory: dir, options: ShardOptions(prefix: "f", compression: .zstd, maxRecords: 70, frameBytes: 2048))
        for l in input { try l.withUnsafeBytes { try w.write(line: $0) } }
        let m = try w.finish()
        #expect(m.shards.count == 5)
        for s in m.shards {
            let frames = try #require(s.frames)
            #expect(frames.first?.offset == 0)
            #expect(frames.allSatisfy { $0.records > 0 })
            #expect(frames.reduce(0) { $0 + $1.records } == s.records)
            #expect(frames.reduce(0) { $0 + $1.compressedBytes } == s.compressedBytes)
        }
        #expect(m.verify(directory: dir).isEmpty)
    }

    @Test(arguments: [Compression.none, .gzip])
    func onlyZstdShardsListFrames(compression: Compression) throws {
        let dir = temporaryDirectory("frames-none")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try writeShard(dir, lines(50), frameBytes: 1024, compression: compression)
        #expect(m.shards.allSatisfy { $0.frames == nil })
        let json = String(decoding: try m.jsonBytes(), as: UTF8.self)
        #expect(!json.contains("\"frames\""))
    }

    @Test func manifestFramesRoundTripAndOldManifestsDecode() throws {
        let dir = temporaryDirectory("frames-manifest")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try writeShard(dir, lines(100), frameBytes: 2048)
        let json = try m.jsonBytes()
        #expect(String(decoding: json, as: UTF8.self).contains("\"compressed_bytes\""))
        let back = try JSONDecoder().decode(Manifest.self, from: Data(json))
        #expect(back == m)
        let old = """
        {"version":1,"prefix":"p","compression":"zstd","shards":[{"file":"p-00000.jsonl.zst","records":2,"bytes":10,"compressed_bytes":30,"xxh3_128":"00"}]}
        """
        let decoded = try JSONDecoder().decode(Manifest.self, from: Data(old.utf8))
        #expect(decoded.shards.first?.frames == nil)
        #expect(decoded.records == 2)
    }

    @Test func badRangesAreErrorsNotCrashes() throws {
        let dir = temporaryDirectory("frames-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try writeShard(dir, lines(120), frameBytes: 2048)
        let shard = try #require(m.shards.first)
        let frames = try #require(shard.frames)
        #expect(frames.count >= 3)
        let path = dir + "/" + shard.file
        let f1 = frames[1]
        // Starting inside a frame.
        let midStart = error { _ = try readAll([InputSlice(file: path, byteRange: (f1.offset + 5)..<(f1.offset + f1.compressedBytes))]) }
        guard case .corruptStream(let file, let offset, _)? = midStart as? CurationError else {
            Issue.record("expected corruptStream, got \(String(describing: midStart))"); return
        }
        #expect(file == path && offset == f1.offset + 5)
        // Ending inside a frame.
        let midEnd = error { _ = try readAll([InputSlice(file: path, byteRange: f1.offset..<(f1.offset + f1.compressedBytes - 7))]) }
        guard case .corruptStream? = midEnd as? CurationError else {
            Issue.record("expected corruptStream, got \(String(describing: midEnd))"); return
        }
        // Past the file's end.
        #expect(error { _ = try readAll([InputSlice(file: path, byteRange: 0..<(shard.compressedBytes + 1))]) } is CurationError)
        // Row groups and a byte range together; a byte range of a Parquet file.
        var both = InputSlice(file: path, byteRange: 0..<10)
        both.rowGroups = 0..<1
        #expect(error { _ = try readAll([both]) } is CurationError)
        #expect(error { _ = try readAll([InputSlice(file: dir + "/x.parquet", byteRange: 0..<4)]) } is CurationError)
        // An empty range reads nothing and does not call the file empty.
        let (none, counts) = try readAll([InputSlice(file: path, byteRange: f1.offset..<f1.offset)])
        #expect(none.isEmpty && counts.emptyFiles.isEmpty)
    }

    @Test func gzipRangesAreRefused() throws {
        let dir = temporaryDirectory("frames-gz")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try writeShard(dir, lines(20), frameBytes: 1024, compression: .gzip)
        let path = dir + "/" + (m.shards.first?.file ?? "")
        let e = error { _ = try readAll([InputSlice(file: path, byteRange: 0..<m.compressedBytes)]) }
        guard case .invalidArgument? = e as? CurationError else { Issue.record("expected invalidArgument, got \(String(describing: e))"); return }
    }

    /// Brute force: the first line start at or after t (file size if none) and 1 + the newlines before it.
    func expectedCut(_ bytes: [UInt8], _ t: Int) -> (offset: Int, line: Int) {
        var offset = bytes.count
        if t == 0 { offset = 0 } else if t <= bytes.count {
            for i in (t - 1)..<bytes.count where bytes[i] == 0x0A { offset = i + 1; break }
        }
        return (offset, 1 + bytes[..<offset].filter { $0 == 0x0A }.count)
    }

    @Test(arguments: [
        "{\"a\":1}\n{\"a\":2}\n\n   \n{\"a\":3}\r\n{\"a\":4}\r\n\r\n{\"a\":5}\n",
        "{\"a\":1}\n\n{\"a\":22222}\n{\"a\":3}", // no newline at the end
        "\u{FEFF}{\"a\":1}\n{\"a\":2}\n", // a BOM, counted in offsets
        "\n\n\n{\"a\":1}\n",
        "{\"a\":1}\n",
        "",
    ])
    func lineCutsMatchTheWholeFileNumbering(text: String) throws {
        let dir = temporaryDirectory("cuts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/in.jsonl"
        let bytes = Array(text.utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let targets = Array(0...bytes.count)
        let cuts = try LineCuts.cuts(path: path, at: targets)
        #expect(cuts.count == targets.count)
        for (t, c) in zip(targets, cuts) {
            let e = expectedCut(bytes, t)
            #expect(c.offset == e.offset && c.line == e.line, "target \(t)")
        }
        // Sparse targets (a pass that skips most of the file) agree too.
        let sparse = stride(from: 0, through: bytes.count, by: 7).map { $0 } + [bytes.count]
        let sparseCuts = try LineCuts.cuts(path: path, at: sparse)
        #expect(zip(sparse, sparseCuts).allSatisfy { t, c in let e = expectedCut(bytes, t); return c.offset == e.offset && c.line == e.line })

        // Reading the file as consecutive ranges gives the whole read's records, locations and blank lines.
        let whole = try readAll([InputSlice(file: path)])
        for step in [1, 3, 10] {
            var bounds = try LineCuts.cuts(path: path, at: Array(stride(from: 0, through: bytes.count, by: step)))
            bounds.append((bytes.count, 0))
            var slices: [InputSlice] = []
            for (a, b) in zip(bounds, bounds.dropFirst()) where a.offset < b.offset {
                slices.append(InputSlice(file: path, byteRange: a.offset..<b.offset, firstLine: a.line, firstOffset: a.offset))
            }
            let parts = try readAll(slices)
            #expect(parts.records.map(\.bytes) == whole.records.map(\.bytes))
            #expect(parts.records.map(\.location) == whole.records.map(\.location))
            #expect(parts.counts.blankLines == whole.counts.blankLines)
            #expect(parts.counts.bytes == whole.counts.bytes)
            #expect(parts.counts.fileBytes == bytes.count)
            let batched = try readBatches(slices)
            #expect(batched.map(\.loc) == whole.records.map(\.location))
        }
        if bytes.isEmpty {
            #expect(try LineCuts.cuts(path: path, at: [0]).map(\.offset) == [0])
            let (_, counts) = try readAll([InputSlice(file: path, byteRange: 0..<0)])
            #expect(counts.emptyFiles == [path])
        }
    }

    @Test func lineCutsOverManyBuffers() throws {
        // Past the 1 MiB buffer: cuts straddling buffer ends still land on line starts.
        let dir = temporaryDirectory("cuts-big")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/in.jsonl"
        let bytes = Array(lines(12_000, seed: 5).map { $0 + [0x0A] }.joined())
        #expect(bytes.count > 2 << 20)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let targets = [0, 1, 1 << 20 - 1, 1 << 20, 1 << 20 + 1, 2 << 20, bytes.count - 1, bytes.count]
        let cuts = try LineCuts.cuts(path: path, at: targets)
        for (t, c) in zip(targets, cuts) {
            let e = expectedCut(bytes, t)
            #expect(c.offset == e.offset && c.line == e.line, "target \(t)")
        }
        #expect(error { _ = try LineCuts.cuts(path: path, at: [5, 2]) } is CurationError)
        #expect(error { _ = try LineCuts.cuts(path: path, at: [bytes.count + 1]) } is CurationError)
    }

    @Test func plainRangesMustBeLineAligned() throws {
        let dir = temporaryDirectory("cuts-align")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/in.jsonl"
        try Data("{\"a\":1}\n{\"a\":2}\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(error { _ = try readAll([InputSlice(file: path, byteRange: 3..<16)]) } is CurationError)
        #expect(error { _ = try readAll([InputSlice(file: path, byteRange: 0..<5)]) } is CurationError)
        let (recs, _) = try readAll([InputSlice(file: path, byteRange: 8..<16, firstLine: 2, firstOffset: 8)])
        #expect(recs.map(\.location) == [Curation.SourceLocation(file: path, line: 2, offset: 8)])
    }
}

extension FramedIOTests {
    @Test func verifyCatchesAFrameListThatDoesNotFitTheFile() throws {
        let dir = temporaryDirectory("frames-verify")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var m = try writeShard(dir, lines(120), frameBytes: 2048)
        #expect(m.verify(directory: dir).isEmpty)
        let frames = try #require(m.shards.first?.frames)
        #expect(frames.count >= 3)
        // Move a boundary inside the frames (sums still match): no magic there.
        var moved = frames
        moved[1].offset += 3; moved[1].compressedBytes -= 3; moved[0].compressedBytes += 3
        m.shards[0].frames = moved
        #expect(m.verify(directory: dir).contains { $0.contains("no zstd frame starts") })
        // Frames that do not add up to the shard.
        m.shards[0].frames = Array(frames.dropLast())
        #expect(m.verify(directory: dir).contains { $0.contains("frames sum to") })
    }
}
