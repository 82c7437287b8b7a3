import Curation
import Decontam
import Foundation
import Testing

/// The fixture mix (Fixtures/decontam/train-mix.jsonl) against the real eval sets; expected.jsonl was
/// computed by the Python reference (Benchmarks/py_decontam.py), independently of this code.
@Suite struct PlantedFixtureTests {
    static func realIndex(_ dir: String) throws -> String {
        let path = dir + "/real.sqlite"
        _ = try EvalIndexStore.build(path: path, settings: NGramSettings(), sources: [
            EvalSource(name: "gsm8k", path: fixture("evals/gsm8k-test.jsonl")),
            EvalSource(name: "humaneval", path: fixture("evals/humaneval.jsonl")),
            EvalSource(name: "ifbench", path: fixture("evals/ifbench-test.jsonl")),
            EvalSource(name: "math500", path: fixture("evals/mmath-en.jsonl"), selection: .init(field: "data_source", value: "MATH500")),
        ])
        return path
    }

    struct Expected { var set: String; var id: String; var overlap: Double }

    static func expected() throws -> [String: [Expected]] {
        var out: [String: [Expected]] = [:]
        try RecordReader(files: [fixture("decontam/expected.jsonl")]).forEach { r in
            let id = try r.requiredString("id")
            out[id] = (try r.value("matches")?.arrayValue ?? []).map {
                Expected(set: $0["eval_set"]?.stringValue ?? "", id: $0["eval_id"]?.stringValue ?? "", overlap: $0["overlap"]?.doubleValue ?? -1)
            }
        }
        return out
    }

    func check(any: Bool) throws {
        let dir = tempDir()
        let index = try Self.realIndex(dir)
        let (report, matches) = try scanFiles(dir, index: index, inputs: [fixture("decontam/train-mix.jsonl")]) { $0.any = any }
        let expected = try Self.expected()
        var got: [String: [Expected]] = [:]
        for m in matches {
            got[m["id"]?.stringValue ?? "", default: []].append(Expected(set: m["eval_set"]?.stringValue ?? "", id: m["eval_id"]?.stringValue ?? "", overlap: m["overlap"]?.doubleValue ?? -1))
        }
        #expect(expected.count == 57)
        for (id, list) in expected {
            let want = list.filter { any || $0.overlap >= 0.5 }.sorted { ($0.set, $0.id) < ($1.set, $1.id) }
            let have = (got[id] ?? []).sorted { ($0.set, $0.id) < ($1.set, $1.id) }
            #expect(want.map { "\($0.set)/\($0.id)" } == have.map { "\($0.set)/\($0.id)" }, "record \(id)")
            for (w, h) in zip(want, have) { #expect(abs(w.overlap - h.overlap) < 1e-4, "record \(id) overlap") }
            if id.hasPrefix("clean") { #expect(have.isEmpty, "clean record \(id) flagged") }
        }
        let flagged = Set(got.keys)
        #expect(report.summary.contaminated == flagged.count)
        #expect(report.stage.recordsIn == 57)
        #expect(report.stage.recordsOut + report.stage.droppedTotal == 57)
    }

    @Test func plantedCasesAtThreshold() throws {
        try check(any: false)
        let want = try Self.expected().filter { $0.value.contains { $0.overlap >= 0.5 } }.keys.sorted()
        #expect(want == ["plant-gsm8k-partial-high", "plant-gsm8k-recased", "plant-gsm8k-verbatim", "plant-humaneval-embedded",
                         "plant-ifbench-pref", "plant-math500-in-answer", "plant-math500-recased-doc"])
    }

    @Test func plantedCasesWithAny() throws { try check(any: true) }

    @Test func dropWritesCleanAndRemoved() throws {
        let dir = tempDir()
        let index = try Self.realIndex(dir)
        var outDir = ""
        let (report, _) = try scanFiles(dir, index: index, inputs: [fixture("decontam/train-mix.jsonl")]) { outDir = $0.output }
        let kept = try outputRecords(outDir)
        let removed = try outputRecords(outDir, prefix: "removed")
        #expect(kept.count == 50 && removed.count == 7)
        #expect(kept.allSatisfy { $0["id"]?.stringValue?.hasPrefix("clean") == true || $0["id"]?.stringValue?.contains("low") == true })
        #expect(removed.allSatisfy { $0["contamination"]?["eval_set"] != nil && $0["contamination"]?["overlap"] != nil })
        let eg = report.summary.evalSets.first { $0.name == "gsm8k" }
        #expect(eg?.found.map(\.id) == ["gsm8k-test.jsonl:5", "gsm8k-test.jsonl:10", "gsm8k-test.jsonl:11"])
        #expect(eg?.instances == 1319)
    }

    @Test func tagKeepsEverything() throws {
        let dir = tempDir()
        let index = try Self.realIndex(dir)
        var outDir = ""
        let (report, _) = try scanFiles(dir, index: index, inputs: [fixture("decontam/train-mix.jsonl")]) { $0.action = .tag; outDir = $0.output }
        let kept = try outputRecords(outDir)
        #expect(kept.count == 57 && report.stage.recordsOut == 57 && report.stage.droppedTotal == 0)
        #expect(kept.filter { $0["contamination"] != nil }.count == 7)
        let recased = kept.first { $0["id"]?.stringValue == "plant-gsm8k-recased" }
        #expect(recased?["contamination"]?["eval_id"]?.stringValue == "gsm8k-test.jsonl:11")
    }
}
