import Curation
import Foundation
import Testing

/// Every deliberately broken fixture gives its error, at the right line, and never traps.
@Suite struct BrokenInputTests {
    func firstError(_ file: String) -> CurationError? {
        do {
            try RecordReader(files: [FixturePath.path("broken/" + file)]).forEach { _ in }
            return nil
        } catch let e as CurationError { return e } catch { return nil }
    }

    @Test(arguments: [
        ("malformed.jsonl", 3, "unterminated string"),
        ("invalid-utf8.jsonl", 2, "invalid UTF-8"),
        ("not-an-object.jsonl", 2, "expected a JSON object"),
        ("trailing-garbage.jsonl", 4, "unexpected data after"),
    ])
    func badLinesNameFileLineOffsetAndReason(file: String, line: Int, reason: String) throws {
        let e = try #require(firstError(file))
        guard case .badRecord(let loc, let r, _) = e else { Issue.record("\(e)"); return }
        #expect(loc.file.hasSuffix(file))
        #expect(loc.line == line)
        #expect(r.contains(reason), "\(r)")
        // The offset points at the start of the bad line in the file.
        let data = try #require(FileManager.default.contents(atPath: FixturePath.path("broken/" + file)))
        let lineStart = data.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(line - 1).reduce(0) { $0 + $1.count + 1 }
        #expect(loc.offset == lineStart)
    }

    @Test(arguments: [("truncated.jsonl.zst", "truncated zstd"), ("corrupt.jsonl.gz", "corrupt"), ("mislabelled.jsonl", "zstd-compressed")])
    func corruptStreamsAreReported(file: String, reason: String) throws {
        let e = try #require(firstError(file))
        #expect(e.description.contains(reason), "\(e)")
        #expect(e.description.contains(file))
    }

    @Test func emptyFilesAreCountedNotErrors() throws {
        let r = RecordReader(files: [FixturePath.path("broken/empty.jsonl"), FixturePath.path("train/persona.jsonl")])
        var n = 0
        try r.forEach { _ in n += 1 }
        #expect(n == 15)
        #expect(r.counts.emptyFiles.count == 1)
        var report = StageReport(stage: "t")
        report.absorb(r.counts)
        #expect(report.warnings.first?.contains("empty.jsonl") == true)
    }

    @Test func skipPolicyWritesBadLinesVerbatimWithReasons() throws {
        let dir = temporaryDirectory("skip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = ["malformed.jsonl", "invalid-utf8.jsonl", "trailing-garbage.jsonl"].map { FixturePath.path("broken/" + $0) }
        let rejected = RejectedWriter(directory: dir)
        let reader = RecordReader(files: files, policy: .skip, rejected: rejected)
        var good = 0
        try reader.forEach { _ in good += 1 }
        try rejected.finish()
        #expect(good == 3 + 2 + 3)
        #expect(reader.counts.rejected == 3)
        var report = StageReport(stage: "t")
        report.absorb(reader.counts)
        report.recordsOut = good
        try report.check()
        let raw = try #require(FileManager.default.contents(atPath: rejected.path))
        // The invalid UTF-8 line is kept byte for byte.
        #expect(raw.contains(0xE9))
        let reasons = try String(contentsOfFile: rejected.reasonsPath, encoding: .utf8).split(separator: "\n")
        #expect(reasons.count == 3)
        #expect(reasons[0].contains("\"line\":3"))
    }

    @Test func missingFilesAndPatternsAreClearErrors() {
        #expect(throws: CurationError.self) { _ = try InputFiles.resolve(["/nonexistent/file.jsonl"]) }
        #expect(throws: CurationError.self) { _ = try InputFiles.resolve([FixturePath.path("train/*.nothing")]) }
        #expect(throws: CurationError.self) { _ = try LineReader(path: FixturePath.path("train")) }
    }

    @Test func accountingMismatchIsCaught() {
        var r = StageReport(stage: "x")
        r.recordsIn = 10; r.recordsOut = 7; r.drop("dup", count: 2)
        #expect(throws: CurationError.self) { try r.check() }
        r.drop("other")
        #expect(throws: Never.self) { try r.check() }
    }
}
