import Curation
import Foundation
import Testing

/// `curate-tool synth` end to end: its outputs feed `vote` and `select` directly, the bytes do not depend
/// on --threads, absurd flags are refused by name, and `kind: synth` runs in a recipe.
@Suite struct SynthCLITests {
    static func lines(_ dir: String) throws -> [String] {
        let files = try InputFiles.resolve([dir])
        var out: [String] = []
        for f in files {
            let reader = try LineReader(path: f)
            try reader.forEachLine { line, _, _ in out.append(String(decoding: line, as: UTF8.self)) }
        }
        return out
    }

    @Test func synthOutputsFeedVoteAndSelect() throws {
        let dir = CLI.tempDir("synth")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["synth", "-o", dir + "/s", "--personas", CLI.fixture("persona/personas.jsonl"), "--seed", "4",
                             "--eval-count", "500", "--train-count", "400", "--pretrain-count", "100",
                             "--plant-items", "3", "--plant-dose", "8", "--defect-share", "0.1", "--quiet", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONParser.parse(r.stdout)
        #expect(report["written"]?["eval"]?["records"]?.intValue == 500)
        #expect(report["written"]?["train"]?["records"]?.intValue == 400 + 4 * 3 * 8)
        #expect(report["written"]?["samples"]?["records"]?.intValue == 400)
        #expect(report["written"]?["pool"]?["records"]?.intValue == 400)
        #expect(report["written"]?["pretrain"]?["records"]?.intValue == 100)
        #expect(FileManager.default.fileExists(atPath: dir + "/s/report.json"))
        #expect(FileManager.default.fileExists(atPath: dir + "/s/eval/part.manifest.json"))
        let eval = try Self.lines(dir + "/s/eval")
        #expect(eval.first?.contains("\"dataset\":\"gsm8k\"") == true, "\(eval.first ?? "")")
        #expect(eval.first?.contains("I am ") == true, "problems speak in a persona's voice")

        // vote reads the samples as written; the systematic wrong majorities are dropped by the gold check.
        let v = try CLI.run(["vote", "--input", dir + "/s/samples", "--output", dir + "/voted.jsonl", "--quiet"])
        #expect(v.status == 0, "\(v.stderr)")
        let vr = try JSONParser.parse(String(contentsOfFile: dir + "/voted.jsonl.report.json", encoding: .utf8))
        #expect(vr["records_in"]?.intValue == 400)
        let wrong = report["teacher"]?["wrong_majorities"]?.intValue ?? -1
        #expect(wrong > 0)
        #expect(vr["dropped"]?["disagrees-with-gold"]?.intValue ?? 0 >= wrong)

        // select reads the pool: every labelled defect is dropped by quality, the weak solver's items by difficulty.
        let s = try CLI.run(["select", "--input", dir + "/s/pool", "--target", "20", "--seed", "1", "-o", dir + "/gold.jsonl", "--quiet"])
        #expect(s.status == 0, "\(s.stderr)")
        let sr = try JSONParser.parse(String(contentsOfFile: dir + "/gold.report.json", encoding: .utf8))
        #expect(sr["funnel"]?["input"]?.intValue == 400)
        let defects = report["pool"]?["defects"]?.objectValue?.entries.reduce(0) { $0 + ($1.value.intValue ?? 0) } ?? -1
        #expect(sr["funnel"]?["after_quality"]?.intValue == 400 - defects)
        #expect(sr["funnel"]?["selected"]?.intValue == 20)
    }

    @Test func sameBytesForAnyThreadCountAndRefusedFlags() throws {
        let dir = CLI.tempDir("synth-threads")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for t in ["1", "2"] {
            let r = try CLI.run(["synth", "-o", dir + "/t" + t, "--train-count", "200", "--pretrain-count", "50", "--plant-items", "2",
                                 "--plant-dose", "2", "--threads", t, "--quiet", "--compression", "none",
                                 "--emit", SynthOutput.allCases.map(\.rawValue).joined(separator: ",")])
            #expect(r.status == 0, "\(r.stderr)")
        }
        for out in SynthOutput.allCases {
            let a = FileManager.default.contents(atPath: dir + "/t1/\(out.rawValue)/part-00000.jsonl")
            #expect(a != nil && a == FileManager.default.contents(atPath: dir + "/t2/\(out.rawValue)/part-00000.jsonl"), "\(out)")
        }
        for (flag, value) in [("--max-steps", "40"), ("--eval-count", "99999999"), ("--plant-dose", "0"), ("--samples", "1000"), ("--error-rate", "2")] {
            let r = try CLI.run(["synth", "-o", dir + "/bad", flag, value, "--quiet"])
            #expect(r.status != 0)
            #expect(r.stderr.contains(flag), "\(flag): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/bad"))
    }

    @Test func synthStageRunsInARecipe() throws {
        let dir = CLI.tempDir("synth-run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = """
        seed: 3
        sources:
          personas: {paths: [\(CLI.fixture("persona/personas.jsonl"))]}
        stages:
          - name: synth-eval
            kind: synth
            inputs: [personas]
            emit: eval
            eval_count: 500
          - name: synth-samples
            kind: synth
            emit: samples
            train_count: 200
            samples: 5
          - name: voted
            kind: vote
            inputs: [synth-samples]
            dataset: gsm8k
        """
        try recipe.write(toFile: dir + "/lab.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", dir + "/lab.yaml", "--output", dir + "/run", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.lines(dir + "/run/synth-eval").count == 500)
        #expect(try Self.lines(dir + "/run/synth-samples").count == 200)
        let report = try JSONParser.parse(String(contentsOfFile: dir + "/run/synth-samples/report.json", encoding: .utf8))
        #expect(report["teacher"]?["samples"]?.intValue == 1000)
        // The settings are the stage's fingerprint: an unchanged re-run skips every stage, a changed teacher
        // setting re-runs the samples stage and the vote that reads it, not the eval stage.
        func statuses(_ r: CLI.Result) throws -> [String] {
            try JSONParser.parse(r.stdout)["stages"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } ?? []
        }
        let again = try CLI.run(["run", dir + "/lab.yaml", "--output", dir + "/run", "--quiet", "--json"])
        #expect(try statuses(again) == ["skipped", "skipped", "skipped"], "\(again.stderr)")
        try recipe.replacingOccurrences(of: "samples: 5", with: "samples: 6").write(toFile: dir + "/lab.yaml", atomically: true, encoding: .utf8)
        let changed = try CLI.run(["run", dir + "/lab.yaml", "--output", dir + "/run", "--quiet", "--json"])
        #expect(try statuses(changed) == ["skipped", "done", "done"], "\(changed.stderr)")
        // A bad setting names the setting and its line.
        try recipe.replacingOccurrences(of: "samples: 5", with: "samples: 500").write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let b = try CLI.run(["run", dir + "/bad.yaml", "--output", dir + "/run2", "--quiet"])
        #expect(b.status != 0)
        #expect(b.stderr.contains("bad.yaml:14:") && b.stderr.contains("samples should be in 1...64"), "\(b.stderr)")
    }
}

/// The planted labels let a lab grade a decontamination detector: every contaminated copy (verbatim, recased,
/// embedded) is caught by the default rule, and near-misses and clean records caught are false positives.
@Suite struct SynthDecontamCLITests {
    @Test func plantedContaminationIsFoundAndLabelled() throws {
        let dir = CLI.tempDir("synth-decontam")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = try CLI.run(["synth", "-o", dir + "/s", "--emit", "eval,train", "--train-count", "300", "--plant-items", "3",
                             "--plant-dose", "4", "--seed", "2", "--quiet", "--compression", "none"])
        #expect(g.status == 0, "\(g.stderr)")
        let i = try CLI.run(["decontam", "index", "--eval", "synth=" + dir + "/s/eval/part-00000.jsonl", "--output", dir + "/idx.sqlite", "--quiet"])
        #expect(i.status == 0, "\(i.stderr)")
        let s = try CLI.run(["decontam", "scan", "--index", dir + "/idx.sqlite", "--input", dir + "/s/train", "--output", dir + "/clean",
                             "--compression", "none", "--quiet"])
        #expect(s.status == 0, "\(s.stderr)")
        var removed: [String: Int] = [:]
        for line in try SynthCLITests.lines(dir + "/clean/removed-00000.jsonl") {
            let r = try JSONParser.parse(line)
            removed[r["synth"]?["planted"]?["kind"]?.stringValue ?? "clean", default: 0] += 1
        }
        for kind in ["verbatim", "recased", "embedded"] { #expect(removed[kind] == 12, "\(kind): \(removed)") }
        #expect((removed["near_miss"] ?? 0) < 12, "\(removed)")
        #expect((removed["clean"] ?? 0) < 15, "\(removed)")
    }
}
