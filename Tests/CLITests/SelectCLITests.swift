import Curation
import Foundation
import Testing

@Suite struct SelectCLITests {
    /// A small pool file: 3 domains x 15 items, one without a domain, one solved, one API error.
    static func writePool(_ path: String, extraLines: [String] = []) throws {
        var lines: [String] = []
        for d in ["algebra", "geometry", "logic"] {
            for i in 0..<15 {
                let q = "Problem \(d) \(i): " + (0..<20).map { "w\(d)\(i)x\($0)" }.joined(separator: " ") + "?"
                let t = (0..<(30 + 7 * i)).map { "step\($0)" }.joined(separator: " ") + "."
                lines.append("{\"id\": \"\(d)-\(i)\", \"question\": \"\(q)\", \"thinking\": \"\(t)\", \"domain\": \"\(d)\", \"source\": \"gen\"}")
            }
        }
        lines.append(#"{"id": "free", "question": "Find the eigenvalues of the matrix [[2, 1], [1, 2]].", "thinking": "We compute the characteristic polynomial and find 1 and 3.", "source": "gen"}"#)
        lines.append(#"{"id": "solved", "question": "What is 1+1?", "thinking": "Two.", "source": "gen", "solved_by": ["m"]}"#)
        lines.append(#"{"id": "err", "question": "What is 2+2?", "thinking": "Error code: 429", "source": "gen"}"#)
        try (lines + extraLines).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func selectsDeterministicallyAndReports() throws {
        let dir = CLI.tempDir("select")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writePool(dir + "/pool.jsonl")
        for out in ["a.jsonl", "b.jsonl"] {
            let r = try CLI.run(["select", "--input", dir + "/pool.jsonl", "--target", "12", "--seed", "5", "-o", dir + "/" + out, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = FileManager.default.contents(atPath: dir + "/a.jsonl")
        #expect(a != nil && a == FileManager.default.contents(atPath: dir + "/b.jsonl"))
        #expect(String(decoding: a ?? Data(), as: UTF8.self).split(separator: "\n").count == 12)
        let report = try JSONParser.parse(String(contentsOfFile: dir + "/a.report.json", encoding: .utf8))
        #expect(report["funnel"]?["input"]?.intValue == 48)
        #expect(report["funnel"]?["after_quality"]?.intValue == 47)
        #expect(report["funnel"]?["after_difficulty"]?.intValue == 46)
        #expect(report["funnel"]?["selected"]?.intValue == 12)
        #expect(report["domains"]?.arrayValue?.count ?? 0 >= 3)
        // A shard directory output, with a different seed, selects differently.
        let r = try CLI.run(["select", "--input", dir + "/pool.jsonl", "--target", "12", "--seed", "6", "-o", dir + "/gold", "--quiet",
                             "--compression", "none"])
        #expect(r.status == 0, "\(r.stderr)")
        let shard = FileManager.default.contents(atPath: dir + "/gold/part-00000.jsonl")
        #expect(shard != nil && shard != a)
    }

    @Test func badInputFailsWithLocationOrIsSkipped() throws {
        let dir = CLI.tempDir("select-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writePool(dir + "/pool.jsonl", extraLines: [#"{"id": "bad", "question": "q?", "thinking": "t.", "source": "s", "solved_by": "m"}"#])
        let r = try CLI.run(["select", "--input", dir + "/pool.jsonl", "--target", "5", "-o", dir + "/out.jsonl", "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("pool.jsonl:49") && r.stderr.contains("solved_by"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jsonl"))
        let s = try CLI.run(["select", "--input", dir + "/pool.jsonl", "--target", "5", "-o", dir + "/out.jsonl", "--quiet", "--on-error", "skip"])
        #expect(s.status == 0, "\(s.stderr)")
        let report = try JSONParser.parse(String(contentsOfFile: dir + "/out.report.json", encoding: .utf8))
        #expect(report["funnel"]?["input"]?.intValue == 49)
        #expect(report["stages"]?.arrayValue?.first?["dropped"]?["rejected:wrong-type"]?.intValue == 1)
        #expect(FileManager.default.fileExists(atPath: dir + "/rejected.jsonl"))
        let bad = try CLI.run(["select", "--input", dir + "/pool.jsonl", "--target", "0", "-o", dir + "/x.jsonl"])
        #expect(bad.status != 0 && bad.stderr.contains("--target"))
    }
}
