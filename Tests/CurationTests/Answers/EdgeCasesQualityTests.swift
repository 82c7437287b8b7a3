import Foundation
import Testing
import Curation

/// The labelled edge cases (Fixtures/answers/edge_cases.jsonl: whole responses, relations, matrices,
/// precision, ...), each with its own options: overall and per-class agreement with the labels, and no
/// more mistakes than math-verify's committed predictions on the same cases.
struct EdgeCasesQualityTests {
    struct Case { var gold: String; var candidate: String; var label: Bool; var cls: String; var options: AnswerOptions }

    static func cases() throws -> [Case] {
        try PairsQualityTests.load("edge_cases.jsonl").map { o in
            var opts = AnswerOptions()
            if case .object(let x)? = o["options"] {
                if let f = x["float_rounding"]?.doubleValue { opts.floatRounding = Int(f) }
                if let s = x["strict"]?.boolValue { opts.strict = s }
                if let a = x["allow_set_relation"]?.boolValue { opts.allowSetRelation = a }
            }
            return Case(gold: o["gold"]?.stringValue ?? "", candidate: o["candidate"]?.stringValue ?? "",
                        label: o["equivalent"]?.boolValue ?? false, cls: o["class"]?.stringValue ?? "", options: opts)
        }
    }

    @Test func casesCoverEveryClassBothWays() throws {
        let c = try Self.cases()
        #expect(c.count >= 150)
        for cls in Set(c.map(\.cls)) {
            let k = c.filter { $0.cls == cls }
            #expect(k.contains { $0.label } && k.contains { !$0.label }, "class \(cls) needs equal and not-equal cases")
        }
    }

    @Test func agreementOverallAndPerClass() throws {
        let c = try Self.cases()
        var wrong: [String] = []
        var perClass: [String: (n: Int, ok: Int)] = [:]
        for x in c {
            let ok = AnswerEquivalence.equivalent(x.gold, x.candidate, options: x.options) == x.label
            perClass[x.cls, default: (0, 0)].n += 1
            if ok { perClass[x.cls, default: (0, 0)].ok += 1 } else { wrong.append("[\(x.cls)] \(x.label): \(x.gold) | \(x.candidate)") }
        }
        let accuracy = Double(c.count - wrong.count) / Double(c.count)
        #expect(accuracy >= 0.97, "accuracy \(accuracy): \(wrong.joined(separator: "\n"))")
        for (cls, r) in perClass { #expect(Double(r.ok) / Double(r.n) >= 0.85, "class \(cls): \(r.ok)/\(r.n)") }
    }

    @Test func noMoreMistakesThanMathVerify() throws {
        let c = try Self.cases()
        let mv = try PairsQualityTests.load("mathverify_edge_predictions.jsonl")
        try #require(mv.count == c.count)
        var ours = 0, theirs = 0
        for (x, m) in zip(c, mv) {
            #expect(m["gold"]?.stringValue == x.gold && m["candidate"]?.stringValue == x.candidate)
            if AnswerEquivalence.equivalent(x.gold, x.candidate, options: x.options) != x.label { ours += 1 }
            if (m["predicted"]?.boolValue ?? false) != x.label { theirs += 1 }
        }
        #expect(ours <= theirs, "ours \(ours) mistakes, math-verify \(theirs)")
    }
}
