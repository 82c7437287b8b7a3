import Curation
import Foundation
import Testing

/// Parquet inputs through the binary (issue 19 item 1): `convert` writes the rows `datasets` would, and a
/// hub directory with several splits needs `--split`.
@Suite struct ParquetCLITests {
    @Test func convertWritesTheExpectedRows() throws {
        let dir = CLI.tempDir("pq-convert")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try CLI.run(["convert", CLI.fixture("parquet/nested.parquet"), CLI.fixture("parquet/chat_zstd_v2.parquet"),
                             "-o", dir, "--compression", "none", "--quiet"])
        #expect(c.status == 0, "\(c.stderr)")
        let got = try String(contentsOfFile: dir + "/part-00000.jsonl", encoding: .utf8)
        let want = try String(contentsOfFile: CLI.fixture("parquet/nested.jsonl"), encoding: .utf8)
            + String(contentsOfFile: CLI.fixture("parquet/chat_zstd_v2.jsonl"), encoding: .utf8)
        #expect(got == want)
    }

    @Test func hubDirectoryNeedsSplit() throws {
        let hub = CLI.fixture("parquet/hub")
        let refused = try CLI.run(["stats", hub, "--json", "--quiet"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("several splits (test, train)") && refused.stderr.contains("--split"), "\(refused.stderr)")
        let train = try CLI.run(["stats", hub, "--split", "train", "--json", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(try JSONParser.parse(train.stdout)["summary"]?["records"]?.intValue == 9)
        let missing = try CLI.run(["stats", hub, "--split", "validation", "--json", "--quiet"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("splits found: test, train"), "\(missing.stderr)")
    }

    @Test func badFileNamesWhere() throws {
        let r = try CLI.run(["stats", CLI.fixture("parquet/unsupported_brotli.parquet"), "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("row group 0, column id") && r.stderr.contains("BROTLI"), "\(r.stderr)")
    }
}
