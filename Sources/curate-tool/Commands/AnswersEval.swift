import ArgumentParser
import Curation
import Foundation

/// `curate-tool answers-eval`: runs our answer equivalence over labelled pairs
/// (`{"gold", "candidate", "equivalent", "note"?}` per line) and writes one prediction per pair, in
/// order, so Benchmarks/verify_vs_mathverify.py can compare us with HF math-verify on the same set.
struct AnswersEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answers-eval",
        abstract: "Score answer equivalence on labelled (gold, candidate) pairs.",
        discussion: "Writes {\"gold\", \"candidate\", \"equivalent\", \"predicted\", \"key_gold\", \"key_candidate\"} per pair; prints accuracy and mistakes on stderr."
    )

    @Option(name: .long, help: "Labelled pairs (JSONL).")
    var pairs: String

    @Option(name: .long, help: "Where to write predictions (JSONL).")
    var output: String

    @Flag(name: .long, help: "Print the accuracy summary as JSON on stdout.")
    var json = false

    @OptionGroup var answerFlags: AnswerFlags

    func run() throws {
        let reader = RecordReader(files: [pairs])
        let options = answerFlags.options
        let out = try AtomicFileWriter(path: output)
        var total = 0, correct = 0
        var mistakes: [String] = []
        try reader.forEach { record in
            let gold = try record.requiredString("gold")
            let candidate = try record.requiredString("candidate")
            let label = try record.value("equivalent")?.boolValue
            // Either side may be a whole response (math-verify's test cases are): its final answer is found first.
            // A pair may set its own options (`{"options": {"float_rounding": 2, "strict": false}}`).
            var opts = options
            if case .object(let o)? = try record.value("options") {
                if let f = o["float_rounding"], let n = f.doubleValue { opts.floatRounding = Int(n) }
                if let s = o["strict"]?.boolValue { opts.strict = s }
                if let a = o["allow_set_relation"]?.boolValue { opts.allowSetRelation = a }
            }
            let cmp = AnswerEquivalence.compare(gold: gold, candidate: candidate, options: opts)
            let g = cmp.gold?.parsed ?? ParsedAnswer(""), c = cmp.candidate?.parsed ?? ParsedAnswer("")
            let predicted = cmp.equivalent
            var o = JSONObject()
            o["gold"] = .string(gold)
            o["candidate"] = .string(candidate)
            o["equivalent"] = label.map { .bool($0) } ?? .null
            o["predicted"] = .bool(predicted)
            o["key_gold"] = .string(g.key)
            o["key_candidate"] = .string(c.key)
            o["rule_gold"] = cmp.gold.map { .string($0.rule.rawValue) } ?? .null
            o["rule_candidate"] = cmp.candidate.map { .string($0.rule.rawValue) } ?? .null
            if let r = cmp.reason { o["reason"] = .string(r) }
            var line = JSONWriter.bytes(.object(o))
            line.append(0x0A)
            try out.write(line)
            if let l = label {
                total += 1
                if l == predicted { correct += 1 } else { mistakes.append("\(l ? "missed" : "false positive"): \(gold)  |  \(candidate)") }
            }
        }
        try out.commit()
        let accuracy = total == 0 ? 0 : Double(correct) / Double(total)
        var summary = "pairs \(total), correct \(correct), accuracy \(String(format: "%.2f%%", accuracy * 100))\n"
        for m in mistakes { summary += "  \(m)\n" }
        FileHandle.standardError.write(Data(summary.utf8))
        if json {
            var o = JSONObject()
            o["pairs"] = .int(total); o["correct"] = .int(correct); o["accuracy"] = .double(accuracy)
            print(JSONWriter.string(.object(o)))
        }
    }
}
