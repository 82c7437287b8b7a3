import Curation
import Foundation
import Testing

/// The synthesizer's outputs: planted contamination counted and labelled by kind and dose, pool records
/// as `select` reads them, and the same bytes for the same seed whatever the thread count.
@Suite struct SynthOutputTests {
    func parse(_ line: String) throws -> JSONValue { try JSONParser.parse(line) }

    @Test(arguments: [1, 8, 32])
    func plantedCopiesAreCountedAndLabelled(dose: Int) throws {
        var o = SynthOptions(seed: 3, evalCount: 500, trainCount: 300, pretrainCount: 0)
        o.plant = SynthPlantOptions(dose: dose, items: 4)
        o.outputs = [.eval, .train]
        let (out, rep) = try SynthCheck.run(o)
        let eval = try (out[.eval] ?? []).map(parse)
        #expect(eval.count == 500)
        var evalQuestion: [String: String] = [:]
        var evalKeys = Set<String>()
        for e in eval {
            guard let id = e["id"]?.stringValue, let q = e["messages"]?.arrayValue?.first?["content"]?.stringValue else { Issue.record("eval record"); continue }
            evalQuestion[id] = q
            evalKeys.insert(e["synth"]?["canonical"]?.stringValue ?? "")
            #expect(e["dataset"]?.stringValue == "gsm8k" && e["ground_truth"]?.stringValue != nil)
        }
        let train = try (out[.train] ?? []).map(parse)
        var perKind: [String: Int] = [:]
        var itemsPerKind: [String: Set<String>] = [:]
        var plainTrain = 0
        for r in train {
            guard let planted = r["synth"]?["planted"] else {
                plainTrain += 1
                #expect(!evalKeys.contains(r["synth"]?["canonical"]?.stringValue ?? ""), "a training problem is never an eval problem")
                continue
            }
            let kind = planted["kind"]?.stringValue ?? "", evalID = planted["eval_id"]?.stringValue ?? ""
            perKind[kind, default: 0] += 1
            itemsPerKind[kind, default: []].insert(evalID)
            let question = try #require(evalQuestion[evalID], "planted eval_id names an eval item")
            let user = r["messages"]?.arrayValue?.first?["content"]?.stringValue ?? ""
            switch kind {
            case "verbatim": #expect(user == question)
            case "recased": #expect(user.lowercased() == question.lowercased() && user != question)
            case "embedded": #expect(user.contains(question) && user.count > question.count)
            case "near_miss":
                #expect(user != question)
                #expect(planted["contamination"]?.boolValue == false)
                #expect(!evalKeys.contains(planted["canonical"]?.stringValue ?? ""))
            default: Issue.record("unknown kind \(kind)")
            }
        }
        #expect(plainTrain == 300)
        for k in SynthPlantKind.allCases {
            #expect(perKind[k.rawValue] == 4 * dose, "\(k): \(perKind[k.rawValue] ?? 0)")
            #expect(itemsPerKind[k.rawValue]?.count == 4)
        }
        // Each eval item is planted with one kind only.
        let all = itemsPerKind.values.reduce(into: [String]()) { $0 += $1 }
        #expect(Set(all).count == all.count)
        guard case .object(let planted)? = rep.extra["planted"] else { Issue.record("no planted section"); return }
        #expect(planted["verbatim"]?["records"]?.intValue == 4 * dose)
        #expect(rep.extra["outputs"]?["train"]?.intValue == 300 + 16 * dose)
        try rep.check()
    }

    /// An eval output with plant settings labels the items a train output with the same settings plants, by
    /// kind, whatever the dose (the eval stage of a lab stays the same while the train stage's dose varies).
    @Test func evalRecordsCarryTheKindTheyArePlantedWith() throws {
        var e = SynthOptions(seed: 7, evalCount: 500, trainCount: 100, pretrainCount: 0)
        e.plant = SynthPlantOptions(dose: 1, items: 5)
        e.outputs = [.eval]
        var t = e
        t.plant.dose = 3
        t.outputs = [.train]
        let (evalOut, evalRep) = try SynthCheck.run(e)
        let (trainOut, _) = try SynthCheck.run(t)
        var labelled: [String: String] = [:]
        for line in evalOut[.eval] ?? [] {
            let r = try parse(line)
            if let k = r["synth"]?["planted_kind"]?.stringValue { labelled[r["id"]?.stringValue ?? ""] = k }
        }
        var planted: [String: String] = [:]
        for line in trainOut[.train] ?? [] {
            let r = try parse(line)
            if let p = r["synth"]?["planted"] { planted[p["eval_id"]?.stringValue ?? ""] = p["kind"]?.stringValue }
        }
        #expect(labelled.count == 20)
        #expect(labelled == planted)
        #expect(evalRep.extra["eval_planted"]?["near_miss"]?.intValue == 5)
        // Without plant settings no eval record is labelled.
        e.plant.items = 0
        let (clean, _) = try SynthCheck.run(e)
        #expect(!(clean[.eval] ?? []).contains { $0.contains("planted_kind") })
    }

    @Test func sameSeedSameBytesForAnyThreadCount() throws {
        var o = SynthOptions(seed: 5, evalCount: 500, trainCount: 400, pretrainCount: 200)
        o.plant = SynthPlantOptions(dose: 2, items: 3)
        let (a, ra) = try SynthCheck.run(o, threads: 1)
        let (b, _) = try SynthCheck.run(o, threads: 4)
        for out in SynthOutput.allCases {
            #expect((a[out] ?? []).count > 0)
            #expect(a[out] == b[out], "\(out)")
        }
        #expect(ra.recordsIn == ra.recordsOut + ra.droppedTotal)
        o.seed = 6
        let (c, _) = try SynthCheck.run(o, threads: 2)
        #expect(c[.train] != a[.train])
    }

    @Test func promptsAreTheTrainProblemsAsVerifiableRecordsNeverEvalItems() throws {
        var o = SynthOptions(seed: 9, evalCount: 300, trainCount: 300, pretrainCount: 0)
        o.outputs = [.eval, .train, .prompts]
        let (out, _) = try SynthCheck.run(o)
        let prompts = try (out[.prompts] ?? []).map { try RawRecord(bytes: Array($0.utf8), location: SourceLocation(file: "p", line: 0, offset: 0)) }
        #expect(prompts.count == 300)
        #expect(prompts.allSatisfy { Schema.detect($0) == .verifiable })
        func ids(_ lines: [String]) throws -> Set<String> { Set(try lines.map { try JSONParser.parse($0)["id"]?.stringValue ?? "" }) }
        #expect(try ids(out[.prompts] ?? []) == ids(out[.train] ?? []))
        #expect(try ids(out[.prompts] ?? []).isDisjoint(with: ids(out[.eval] ?? [])))
        // The gold answer is the train record's label.
        let train = try Dictionary(uniqueKeysWithValues: (out[.train] ?? []).map { l -> (String, String) in
            let v = try JSONParser.parse(l)
            return (v["id"]?.stringValue ?? "", v["synth"]?["answer"]?.stringValue ?? "")
        })
        for p in prompts { #expect(try train[RecordID.of(p)] == p.string("ground_truth")) }
    }

    @Test func poolItemsPassSelectionExceptTheirLabelledDefects() throws {
        var o = SynthOptions(seed: 8, evalCount: 0, trainCount: 1000, pretrainCount: 0)
        o.outputs = [.pool]
        o.pool = SynthPoolOptions(defectShare: 0.2, weakSolverThreshold: 0.5)
        let (out, rep) = try SynthCheck.run(o)
        let lines = out[.pool] ?? []
        #expect(lines.count == 1000)
        let rules = QualityRules()
        var defects: [String: Int] = [:], solved = 0, lengths: [Int] = []
        for (i, line) in lines.enumerated() {
            let r = try RawRecord(bytes: Array(line.utf8), location: SourceLocation(file: "pool", line: i + 1, offset: 0))
            let item = try PoolItem.decode(r)
            let v = try parse(line)
            let issue = rules.check(item, record: r)
            if let d = v["synth"]?["defect"]?.stringValue, let kind = SynthDefect(rawValue: d) {
                defects[d, default: 0] += 1
                #expect(issue?.description == kind.qualityReason, "\(d) -> \(String(describing: issue))")
            } else {
                #expect(issue == nil, "\(String(describing: issue)): \(line)")
                lengths.append(item.thinking?.count ?? 0)
            }
            if !item.solvedBy.isEmpty { solved += 1 }
            #expect(item.domain == v["synth"]?["operations"]?.stringValue)
        }
        #expect(defects.values.reduce(0, +) > 120 && defects.values.reduce(0, +) < 280)
        #expect(defects.count == SynthDefect.allCases.count)
        #expect(solved > 300 && solved < 700, "the weak solver fails on the hard half")
        #expect((lengths.max() ?? 0) > 3 * (lengths.min() ?? 1), "traces vary in length")
        #expect(rep.extra["pool"]?["items"]?.intValue == 1000)
    }
}
