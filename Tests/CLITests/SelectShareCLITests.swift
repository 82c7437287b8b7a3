import Curation
import Foundation
import Testing

/// `select --shard i/N`: each share screens (quality, difficulty) its part of the pool, cut finer than
/// files, and keeps its candidates; the final sampling is one task (`select ... --merge-shares`), which
/// chooses from every share's candidates in share order: the gold set, the rejected lines and the report
/// (minus timings) are one run's.
@Suite struct SelectShareCLITests {
    @Test func sharesScreenAndOneTaskSamples() throws {
        let dir = CLI.tempDir("select-share")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SelectCLITests.writePool(dir + "/pool.jsonl", extraLines: ["{\"id\": broken"] + (0..<6).map {
            "{\"id\": \"extra-\($0)\", \"question\": \"Problem extra \($0): \((0..<20).map { "e\($0)" }.joined(separator: " ")) \($0)?\", \"thinking\": \"\((0..<(40 + $0)).map { "s\($0)" }.joined(separator: " ")).\", \"source\": \"gen\"}"
        })
        let base = ["select", "--input", dir + "/pool.jsonl", "--target", "12", "--seed", "5", "--on-error", "skip", "--quiet"]
        try FileManager.default.createDirectory(atPath: dir + "/one", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/shared", withIntermediateDirectories: true)
        let one = try CLI.run(base + ["-o", dir + "/one/gold.jsonl"])
        #expect(one.status == 0, "\(one.stderr)")
        for i in 0..<3 {
            let r = try CLI.run(base + ["-o", dir + "/shared/gold.jsonl", "--shard", "\(i)/3"], env: ["CURATE_SHARE_UNIT_BYTES": "4096"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/shared/gold.jsonl"))
        let records = try ShareRecord.loadAll(folder: dir + "/shared/gold.jsonl.shares")
        #expect(records.count == 3 && records.allSatisfy { !$0.slices.isEmpty }, "the pool file was cut: \(records.map(\.slices))")
        // `merge` does not sample: it names the final step.
        let merge = try CLI.run(["merge", dir + "/shared/gold.jsonl"])
        #expect(merge.status != 0 && merge.stderr.contains("--merge-shares"), "\(merge.stderr)")
        // Shares screened with other settings are not joined.
        let other = try CLI.run(base + ["-o", dir + "/shared/gold.jsonl", "--merge-shares", "--strategy", "longest"])
        #expect(other.status != 0 && other.stderr.contains("other settings"), "\(other.stderr)")

        let final = try CLI.run(base + ["-o", dir + "/shared/gold.jsonl", "--merge-shares"])
        #expect(final.status == 0, "\(final.stderr)")
        let a = ShareCLITests.text(dir + "/one/gold.jsonl")
        #expect(a.split(separator: "\n").count == 12 && a == ShareCLITests.text(dir + "/shared/gold.jsonl"))
        for f in ["rejected.jsonl", "rejected.reasons.jsonl"] {
            let x = ShareCLITests.text(dir + "/one/" + f)
            #expect((x.contains("broken") || f.contains("reasons")) && !x.hasPrefix("<missing") && x == ShareCLITests.text(dir + "/shared/" + f), "\(f)")
        }
        #expect(try ExecutorCLITests.normalized(dir + "/one/gold.report.json", run: dir + "/one")
                == ExecutorCLITests.normalized(dir + "/shared/gold.report.json", run: dir + "/shared"))
    }

    /// The recipe stage as tasks: each task screens its share, the executor samples once.
    @Test func selectStageAsTasksGivesTheInlineGoldSet() throws {
        let dir = CLI.tempDir("select-tasks")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SelectCLITests.writePool(dir + "/pool.jsonl")
        try """
            seed: 4
            sources:
              pool: {paths: [pool.jsonl]}
            stages:
              - name: gold
                kind: select
                inputs: [pool]
                target: 12
            """.write(toFile: dir + "/recipe.yaml", atomically: true, encoding: .utf8)
        let env = ["CURATE_SHARE_UNIT_BYTES": "2048"]
        let inline = try ExecutorCLITests.run(dir + "/recipe.yaml", dir + "/inline", env: env)
        #expect(inline.status == 0, "\(inline.stderr)")
        let tasks = try ExecutorCLITests.run(dir + "/recipe.yaml", dir + "/tasks", ["--executor", "local", "--tasks", "3"], env: env)
        #expect(tasks.status == 0, "\(tasks.stderr)")
        let a = try ShareCLITests.records(dir + "/inline/gold"), b = try ShareCLITests.records(dir + "/tasks/gold")
        #expect(a.count == 12 && a == b)
        #expect(try ExecutorCLITests.normalized(dir + "/inline/gold/report.json", run: dir + "/inline")
                == ExecutorCLITests.normalized(dir + "/tasks/gold/report.json", run: dir + "/tasks"))
        let shares = try ShareRecord.loadAll(directory: dir + "/tasks/gold")
        #expect(shares.count == 3 && shares.allSatisfy { $0.stage == "select-screen" && !$0.slices.isEmpty }, "\(shares.map(\.slices))")
        #expect(try Manifest.load(dir + "/tasks/gold/part.manifest.json").verify(directory: dir + "/tasks/gold").isEmpty)
    }
}
