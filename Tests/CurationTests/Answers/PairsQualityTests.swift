import Foundation
import Testing
import Curation

/// The quality bar: our equivalence against hand-labelled pairs built from real MMATH and GSM8K answers,
/// and against HF math-verify's predictions on the same pairs (committed by Benchmarks/verify_vs_mathverify.py).
struct PairsQualityTests {
    struct Pair { var gold: String; var candidate: String; var label: Bool; var note: String }

    static func load(_ name: String) throws -> [JSONObject] {
        let text = try String(contentsOf: AnswerFixtures.url(name), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try #require(try JSONParser.parse(String(line)).objectValue)
        }
    }

    static func pairs() throws -> [Pair] {
        try load("pairs.jsonl").map { o in
            Pair(gold: o["gold"]?.stringValue ?? "", candidate: o["candidate"]?.stringValue ?? "",
                 label: o["equivalent"]?.boolValue ?? false, note: o["note"]?.stringValue ?? "")
        }
    }

    @Test func atLeast300LabelledPairsOfBothKinds() throws {
        let p = try Self.pairs()
        #expect(p.count >= 300)
        #expect(p.filter(\.label).count >= 100)
        #expect(p.filter { !$0.label }.count >= 100)
    }

    @Test func accuracyAtLeast95Percent() throws {
        let p = try Self.pairs()
        var wrong: [String] = []
        for x in p where AnswerEquivalence.equivalent(x.gold, x.candidate) != x.label {
            wrong.append("\(x.label ? "missed" : "false-positive"): \(x.gold) | \(x.candidate) (\(x.note))")
        }
        let accuracy = Double(p.count - wrong.count) / Double(p.count)
        if ProcessInfo.processInfo.environment["ANSWERS_VERBOSE"] != nil { print(wrong.joined(separator: "\n")) }
        #expect(accuracy >= 0.95, "accuracy \(accuracy): \(wrong.prefix(20).joined(separator: "\n"))")
    }

    @Test func noMoreMistakesThanMathVerify() throws {
        let p = try Self.pairs()
        let mv = try Self.load("mathverify_predictions.jsonl")
        try #require(mv.count == p.count)
        var ours = 0, theirs = 0
        for (x, m) in zip(p, mv) {
            #expect(m["gold"]?.stringValue == x.gold && m["candidate"]?.stringValue == x.candidate)
            if AnswerEquivalence.equivalent(x.gold, x.candidate) != x.label { ours += 1 }
            if (m["predicted"]?.boolValue ?? false) != x.label { theirs += 1 }
        }
        #expect(ours <= theirs, "ours \(ours) mistakes, math-verify \(theirs)")
    }
}
