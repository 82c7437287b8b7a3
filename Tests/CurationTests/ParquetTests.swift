import Curation
import Foundation
import Testing

/// The Parquet reader against real files written by pyarrow and `datasets` (Fixtures/parquet, made by
/// make_fixtures.py) and by polars and duckdb (make_tool_fixtures.py): every row must equal, byte for byte, the JSON line committed beside its file.
@Suite struct ParquetTests {
    static let fixtures = [
        "chat_snappy_v1", "chat_zstd_v2", "chat_gzip_v1", "chat_lz4raw_v2", "chat_none_v1", "chat_small_pages", "chat_small_pages_v1", "chat_cdc",
        "encodings_delta_v1", "encodings_delta_v2", "encodings_plain", "encodings_dictionary",
        "types", "types_int_decimal", "types_int96", "nested", "nested_v2_small_pages",
        // Written by polars and duckdb from the real eval sets (make_tool_fixtures.py).
        "polars_gsm8k", "polars_gsm8k_small_groups", "duckdb_ifbench", "duckdb_mmath_zstd",
    ]

    static func expectedLines(_ name: String) throws -> [[UInt8]] {
        let text = try String(contentsOfFile: FixturePath.path("parquet/\(name).jsonl"), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map { Array($0.utf8) }
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: FixturePath.path("parquet/\(name).parquet"))))
    }

    @Test(arguments: fixtures)
    func rowsEqualTheExpectedJSON(name: String) throws {
        let file = try ParquetFile(path: FixturePath.path("parquet/\(name).parquet"))
        let rows = try file.jsonLines()
        let expected = try Self.expectedLines(name)
        #expect(rows.count == expected.count)
        #expect(file.rowCount == expected.count)
        for (k, (got, want)) in zip(rows, expected).enumerated() where got != want {
            Issue.record("\(name) row \(k):\n got \(String(decoding: got, as: UTF8.self))\nwant \(String(decoding: want, as: UTF8.self))")
            break
        }
    }

    @Test(arguments: ["chat_zstd_v2", "nested", "types"])
    func recordReaderReadsParquetLikeJSONL(name: String) throws {
        let path = FixturePath.path("parquet/\(name).parquet")
        let expected = try Self.expectedLines(name)
        var records: [RawRecord] = []
        let reader = RecordReader(files: [path])
        try reader.forEach { records.append($0) }
        #expect(records.map(\.bytes) == expected)
        #expect(records.first?.location.line == 1)
        #expect(records.first?.location.offset == -1)
        #expect(records.first.map { "\($0.location)" } == "\(path): row 1")
        #expect(reader.counts.records == expected.count)
        #expect(reader.counts.bytes == expected.reduce(0) { $0 + $1.count })
        // Batches of a few hundred bytes: rows in order across batches, sequence numbers consecutive.
        var batched: [[UInt8]] = []
        var sequences: [Int] = []
        let batchReader = RecordReader(files: [path, path])
        try batchReader.forEachBatch(batchBytes: 300) { batch in
            sequences.append(batch.sequence)
            for r in try batchReader.absorb(batch, RecordReader.parse(batch)) { batched.append(r.bytes) }
        }
        #expect(batched == expected + expected)
        #expect(sequences == Array(0..<sequences.count))
        #expect(batchReader.counts.files == 2)
    }

    @Test func chatRowsAreTuluShaped() throws {
        var n = 0
        try RecordReader(files: [FixturePath.path("parquet/chat_snappy_v1.parquet")]).forEach { r in
            n += 1
            #expect(r.has("id") && r.has("messages") && r.has("source"))
            let id = try r.string("id")
            #expect(id == "tulu-0-\(n - 1)")
        }
        #expect(n == 40)
    }

    @Test func projectionReadsOnlyTheNamedColumns() throws {
        let file = try ParquetFile(path: FixturePath.path("parquet/chat_zstd_v2.parquet"))
        #expect(file.schema.fieldNames == ["id", "messages", "source"])
        #expect(file.schema.columns.map(\.dottedPath) == ["id", "messages.list.element.content", "messages.list.element.role", "source"])
        let rows = try file.jsonLines(columns: ["source", "messages"]) // schema order whatever the order asked
        let expected = try Self.expectedLines("chat_zstd_v2").map { line -> [UInt8] in
            let full = try RawRecord(bytes: line, location: SourceLocation(file: "x", line: 1, offset: 0)).object()
            var kept = JSONObject()
            kept["messages"] = full["messages"]
            kept["source"] = full["source"]
            return JSONWriter.bytes(.object(kept))
        }
        #expect(rows == expected)
        #expect(throws: ParquetError.self) { try file.jsonLines(columns: ["nope"]) }
        // Through the record reader, names a file lacks are ignored (inputs may differ in schema).
        var got: [[UInt8]] = []
        try RecordReader(files: [file.path], options: ReadOptions(parquetColumns: ["messages", "source", "absent"])).forEach { got.append($0.bytes) }
        #expect(got == expected)
    }

    @Test func rowGroupsAreUnitsOfWork() throws {
        let file = try ParquetFile(path: FixturePath.path("parquet/chat_small_pages.parquet"))
        #expect(file.rowGroups.count == 6)
        #expect(file.rowGroups.map(\.rows) == [7, 7, 7, 7, 7, 5])
        #expect(file.rowGroups.map(\.firstRow) == [0, 7, 14, 21, 28, 35])
        let expected = try Self.expectedLines("chat_small_pages")
        var rows: [[UInt8]] = [], numbers: [Int] = []
        try file.forEachRow(rowGroups: 2..<4) { row, n in rows.append(Array(row)); numbers.append(n) }
        #expect(numbers == Array(14..<28))
        #expect(rows == Array(expected[14..<28]))
        // Shares of row groups put back together give the whole file.
        var whole: [[UInt8]] = []
        for share in [0..<2, 2..<5, 5..<6] { try file.forEachRow(rowGroups: share) { row, _ in whole.append(Array(row)) } }
        #expect(whole == expected)
        #expect(throws: ParquetError.self) { try file.forEachRow(rowGroups: 5..<7) { _, _ in } }
    }

    @Test func recordReaderReadsRowGroupSlices() throws {
        let path = FixturePath.path("parquet/chat_small_pages.parquet")
        let expected = try Self.expectedLines("chat_small_pages")
        let size = try ParquetFile(path: path).fileSize
        // Row groups [2, 4) alone: rows 15...28 (1-based), numbered as in the whole file.
        var records: [RawRecord] = []
        let reader = RecordReader(slices: [InputSlice(file: path, rowGroups: 2..<4)])
        try reader.forEach { records.append($0) }
        #expect(records.map(\.bytes) == Array(expected[14..<28]))
        #expect(records.map(\.location.line) == Array(15...28))
        #expect(records.first.map { "\($0.location)" } == "\(path): row 15")
        #expect(reader.counts.records == 14)
        #expect(reader.counts.emptyFiles.isEmpty)
        // Slices of 4 row groups ([0, 4), [4, 6)) cover the file once, in order, batched too; their byte
        // shares add up to the file's size.
        let slices = try InputSlice.rowGroupSlices([path], rowGroupsPerSlice: 4)
        #expect(slices == [InputSlice(file: path, rowGroups: 0..<4), InputSlice(file: path, rowGroups: 4..<6)])
        var lines: [Int] = [], rows: [[UInt8]] = []
        let batched = RecordReader(slices: slices)
        try batched.forEachBatch(batchBytes: 500) { batch in
            for r in try batched.absorb(batch, RecordReader.parse(batch)) { rows.append(r.bytes); lines.append(r.location.line) }
        }
        #expect(rows == expected)
        #expect(lines == Array(1...expected.count))
        #expect(batched.counts.fileBytes == size)
        #expect(batched.counts.files == 2)
        // An empty range reads nothing and is not an empty file; a range past the end and a JSONL file
        // cut by row groups are errors.
        let none = RecordReader(slices: [InputSlice(file: path, rowGroups: 3..<3)])
        try none.forEach { _ in Issue.record("a row of an empty slice") }
        #expect(none.counts.emptyFiles.isEmpty && none.counts.fileBytes == 0)
        #expect(throws: CurationError.self) { try RecordReader(slices: [InputSlice(file: path, rowGroups: 5..<7)]).forEach { _ in } }
        let jsonl = FixturePath.path("parquet/chat_small_pages.jsonl")
        #expect(try InputSlice.rowGroupSlices([jsonl], rowGroupsPerSlice: 2) == [InputSlice(file: jsonl)])
        #expect(throws: CurationError.self) { try RecordReader(slices: [InputSlice(file: jsonl, rowGroups: 0..<1)]).forEach { _ in } }
    }

    /// Rows whose strings are valid UTF-8 skip the JSON validation pass: their top-level fields come from
    /// the assembler and must be what the parser finds.
    @Test(arguments: fixtures)
    func rowFieldsAreWhatTheParserFinds(name: String) throws {
        let path = FixturePath.path("parquet/\(name).parquet")
        func check(_ r: RawRecord) throws {
            let scanned = try r.bytes.withUnsafeBytes { try JSONParser.scanTopLevel($0) }
            #expect(r.fields == scanned, "\(r.location)")
        }
        var n = 0
        try RecordReader(files: [path]).forEach { try check($0); n += 1 }
        let reader = RecordReader(files: [path])
        try reader.forEachBatch(batchBytes: 200) { batch in
            for r in try reader.absorb(batch, RecordReader.parse(batch)) { try check(r); n -= 1 }
        }
        #expect(n == 0)
    }

    /// A string that is not valid UTF-8 still gets its row rejected as `invalid-utf8`, as a JSONL line
    /// would be; the other rows read as before.
    @Test func invalidUTF8RowIsRejected() throws {
        var bytes = try Self.bytes("chat_none_v1")
        let needle = Array("tulu-0-17".utf8)
        let at = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[at + needle.count - 1] = 0xFF
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pq-utf8-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.parquet").path
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        var expected = try Self.expectedLines("chat_none_v1")
        expected.remove(at: 17)
        for batched in [false, true] {
            let reader = RecordReader(files: [file], policy: .skip, rejected: RejectedWriter(directory: dir.path, name: "rejected-\(batched)"))
            var got: [[UInt8]] = []
            if batched {
                try reader.forEachBatch(batchBytes: 300) { b in for r in try reader.absorb(b, RecordReader.parse(b)) { got.append(r.bytes) } }
            } else {
                try reader.forEach { got.append($0.bytes) }
            }
            #expect(got == expected)
            #expect(reader.counts.rejectedByReason == ["invalid-utf8": 1])
        }
    }

    @Test func hubDirectoryNeedsASplitWhenItHoldsSeveral() throws {
        let hub = FixturePath.path("parquet/hub")
        do {
            _ = try InputFiles.resolve([hub])
            Issue.record("a directory with train and test splits resolved without --split")
        } catch let e as CurationError {
            #expect(e.description.contains("several splits (test, train)"))
            #expect(e.description.contains("--split"))
        }
        let train = try InputFiles.resolve([hub], split: "train")
        #expect(train.map { ($0 as NSString).lastPathComponent } == ["train-00000-of-00002.parquet", "train-00001-of-00002.parquet"])
        var rows: [[UInt8]] = []
        try RecordReader(files: train).forEach { rows.append($0.bytes) }
        #expect(rows == (try Self.expectedLines("hub-train")))
        let test = try InputFiles.resolve([hub], split: "test")
        #expect(test.count == 1)
        #expect(throws: CurationError.self) { try InputFiles.resolve([hub], split: "validation") }
        // One split: no --split needed.
        #expect(try InputFiles.resolve([FixturePath.path("parquet/hub-one-split")]).count == 1)
        #expect(InputFiles.parquetSplit("d/data/validation-00003-of-00010.parquet") == "validation")
        #expect(InputFiles.parquetSplit("d/default/train/0000.parquet") == "train")
        #expect(InputFiles.parquetSplit("d/test.parquet") == "test")
        #expect(InputFiles.parquetSplit("d/my-data-00000-of-00002.parquet") == "my-data")
        #expect(InputFiles.parquetSplit("d/mydata.parquet") == nil)
        #expect(InputFiles.parquetSplit("d/tulu-part.parquet") == nil)
    }

    @Test func filesOfNoSplitAreAlwaysRead() throws {
        let dir = temporaryDirectory("pq-split")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = FixturePath.path("parquet/chat_none_v1.parquet")
        for name in ["mydata.parquet", "other.parquet"] { try FileManager.default.copyItem(atPath: src, toPath: dir + "/" + name) }
        // Two files of no recognisable split: a plain directory, read whole.
        #expect(try InputFiles.resolve([dir]).count == 2)
        for name in ["train-00000-of-00001.parquet", "test-00000-of-00001.parquet"] {
            try FileManager.default.copyItem(atPath: src, toPath: dir + "/" + name)
        }
        #expect(throws: CurationError.self) { try InputFiles.resolve([dir]) }
        let train = try InputFiles.resolve([dir], split: "train").map { ($0 as NSString).lastPathComponent }
        #expect(train == ["mydata.parquet", "other.parquet", "train-00000-of-00001.parquet"])
    }

    @Test func datasetsWrittenS1KReadsFromItsDirectory() throws {
        let files = try InputFiles.resolve([FixturePath.path("parquet/s1k")])
        var rows: [[UInt8]] = []
        try RecordReader(files: files).forEach { rows.append($0.bytes) }
        #expect(rows == (try Self.expectedLines("s1k")))
        #expect(rows.count == 12)
    }

    @Test func personasLoadFromParquet() throws {
        let personas = try PersonaLoader.load(paths: [FixturePath.path("parquet/personas.parquet")])
        #expect(personas.map(\.id) == ["p-1", "p-2", "p-3"])
        #expect(personas.map(\.text) == ["A chemist who bakes", "A retired sailor", "A chess coach"])
    }

    // MARK: - Bad files

    func parquetError(_ bytes: [UInt8], limits: ParquetLimits = ParquetLimits()) -> ParquetError? {
        do {
            let f = try ParquetFile(bytes: bytes, name: "bad.parquet", limits: limits)
            _ = try f.jsonLines()
            return nil
        } catch let e as ParquetError {
            return e
        } catch {
            Issue.record("untyped error \(error)")
            return nil
        }
    }

    @Test func badFilesGiveTypedErrorsNamingWhere() throws {
        let good = try Self.bytes("chat_none_v1")
        #expect(parquetError(Array(good.prefix(good.count / 2)))?.reason.contains("PAR1") == true)
        var wrongMagic = good; wrongMagic[0] = 0x51
        #expect(parquetError(wrongMagic)?.reason.contains("not a Parquet file") == true)
        var longFooter = good
        let n = good.count
        longFooter[n - 8] = 0xFF; longFooter[n - 7] = 0xFF; longFooter[n - 6] = 0xFF; longFooter[n - 5] = 0x7F
        #expect(parquetError(longFooter)?.reason.contains("footer length") == true)
        #expect(parquetError(Array(good.prefix(8)))?.reason.contains("too short") == true)

        // The first page header (at byte 4): i32 type, i32 uncompressed size, i32 compressed size. Make the
        // compressed size claim more than the column chunk holds.
        var lying = good
        var p = 4
        func skipField() { #expect(lying[p] == 0x15); p += 1; while lying[p] & 0x80 != 0 { p += 1 }; p += 1 }
        skipField(); skipField()
        #expect(lying[p] == 0x15)
        let sizeAt = p + 1
        #expect(lying[sizeAt] & 0x80 != 0 && lying[sizeAt + 1] & 0x80 == 0) // a 2-byte varint
        lying[sizeAt] = 0xFE; lying[sizeAt + 1] = 0x7F // zigzag 16382 -> 8191 bytes
        let e = parquetError(lying)
        #expect(e?.rowGroup == 0)
        #expect(e?.column == "id")
        #expect(e?.page == 0)
        #expect(e?.reason.contains("runs past its column chunk") == true)

        // An unsupported codec is named, with the column.
        let brotli = parquetError(try Self.bytes("unsupported_brotli"))
        #expect(brotli?.reason.contains("BROTLI") == true)
        #expect(brotli?.column == "id")
        // Through a record reader the error is a CurationError naming file, row group and column.
        do {
            try RecordReader(files: [FixturePath.path("parquet/unsupported_brotli.parquet")]).forEach { _ in }
            Issue.record("brotli file read")
        } catch let e as CurationError {
            #expect(e.description.contains("unsupported_brotli.parquet"))
            #expect(e.description.contains("row group 0, column id"))
        }
    }

    @Test func limitsAreEnforced() throws {
        var shallow = ParquetLimits()
        shallow.maxSchemaDepth = 3
        #expect(parquetError(try Self.bytes("nested"), limits: shallow)?.reason.contains("deeper than the limit of 3") == true)
        var tiny = ParquetLimits()
        tiny.maxRowGroupBytes = 6000 // each column chunk fits; the decoded row group does not
        #expect(parquetError(try Self.bytes("encodings_plain"), limits: tiny)?.reason.contains("past its memory limit of 6000 bytes") == true)
        var smallPages = ParquetLimits()
        smallPages.maxPageBytes = 100
        #expect(parquetError(try Self.bytes("chat_none_v1"), limits: smallPages)?.reason.contains("larger than the limit") == true)
        var fewEntries = ParquetLimits()
        fewEntries.maxFooterEntries = 10
        #expect(parquetError(try Self.bytes("types"), limits: fewEntries)?.reason.contains("more list elements than the reader's limit") == true)
        var smallFooter = ParquetLimits()
        smallFooter.maxFooterBytes = 100
        #expect(parquetError(try Self.bytes("types"), limits: smallFooter)?.reason.contains("footer of") == true)
    }

    /// Random corruption of real files: every outcome is rows or a typed error, never a trap (the fuzz
    /// target `parquet` does this at length; this keeps a quick version in the unit tests).
    @Test(arguments: ["chat_snappy_v1", "chat_zstd_v2", "chat_lz4raw_v2", "chat_gzip_v1", "encodings_delta_v2", "nested", "types"])
    func corruptedFilesNeverTrap(name: String) throws {
        let good = try Self.bytes(name)
        var rng = SplitMix64(seed: 19)
        var errors = 0
        for _ in 0..<300 {
            var b = good
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let at = Int(rng.next() % UInt64(b.count))
                b[at] = UInt8(truncatingIfNeeded: rng.next())
            }
            if parquetError(b) != nil { errors += 1 }
        }
        #expect(errors > 0)
    }

    /// A string that is not UTF-8 (one byte of "Hello!" in the uncompressed dictionary page made 0xFF): the
    /// rows holding it are bad records (`rejected:invalid-utf8`, located by row), the others read on.
    @Test func invalidUTF8RowsAreRejectedByRow() throws {
        var bytes = try Self.bytes("chat_none_v1")
        let needle = Array("Hello!".utf8)
        guard let at = (0...(bytes.count - needle.count)).first(where: { Array(bytes[$0..<($0 + needle.count)]) == needle }) else {
            Issue.record("no Hello! in the fixture"); return
        }
        bytes[at + 1] = 0xFF
        let dir = temporaryDirectory("pq-utf8")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/bad.parquet"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let expected = try Self.expectedLines("chat_none_v1")
        let bad = expected.enumerated().filter { String(decoding: $0.element, as: UTF8.self).contains("Hello!") }.map { $0.offset + 1 }
        #expect(!bad.isEmpty)
        do {
            try RecordReader(files: [path]).forEach { _ in }
            Issue.record("invalid UTF-8 read under fail")
        } catch let e as CurationError {
            #expect(e.description.contains("bad.parquet: row \(bad[0])"))
            #expect(e.rejectionReason == .invalidUTF8)
        }
        let reader = RecordReader(files: [path], policy: .skip, rejected: RejectedWriter(directory: dir))
        var rows: [Int] = []
        try reader.forEach { rows.append($0.location.line) }
        #expect(rows == (1...expected.count).filter { !bad.contains($0) })
        #expect(reader.counts.rejectedByReason["invalid-utf8"] == bad.count)
    }

    @Test func tooLongRowsAreRejectedUnderSkip() throws {
        let dir = temporaryDirectory("pq-long")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rejected = RejectedWriter(directory: dir)
        let reader = RecordReader(files: [FixturePath.path("parquet/chat_none_v1.parquet")], policy: .skip, rejected: rejected,
                                  options: ReadOptions(maxLineBytes: 300))
        var kept = 0
        try reader.forEach { _ in kept += 1 }
        try rejected.finish()
        let expected = try Self.expectedLines("chat_none_v1")
        #expect(kept == expected.filter { $0.count <= 300 }.count)
        #expect(reader.counts.rejectedByReason["line-too-long"] == expected.filter { $0.count > 300 }.count)
    }
}
