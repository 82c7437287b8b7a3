import ArgumentParser
import Curation
import Foundation
import Trainer

/// `curate-tool eval`: accuracy of a local model on gsm8k / math / ifeval items with the curation verifiers,
/// optionally with s1 budget forcing and a sweep over thinking budgets (the s1 scaling curve).
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a local model on gsm8k, math or ifeval items (majority@k, pass@k, budget forcing).",
        discussion: """
        Prompt protocol (zero-shot): the item's question as the user turn, rendered with the model's chat \
        template and a generation prompt; gsm8k appends "Solve the problem step by step. End your response with \
        a line of the form \\"#### N\\" ..."; math appends "... Put your final answer within \\\\boxed{}."; ifeval \
        sends the prompt as it is. Override with --instruction TASK=TEXT. Generation stops at the eos and the \
        template's end of turn. gsm8k/math are graded by answer extraction + equivalence, ifeval by every \
        constraint being satisfied. With budget forcing, only the text after the end delimiter is graded. \
        --samples K reports accuracy (first sample), majority@k and pass@k.
        """
    )

    @Option(name: .long, help: "Model folder or GGUF file.")
    var model: String

    @Option(name: .long, parsing: .upToNextOption, help: "Eval items (JSONL, .zst, .gz).")
    var input: [String]

    @Option(name: .long, help: "gsm8k, math, ifeval or auto (per record: dataset field, constraints, #### in the answer).")
    var task = "auto"

    @Option(name: .long, help: "Evaluate only the first N items.")
    var limit: Int?

    @Option(name: .long, help: "Samples per item (majority@k, pass@k).")
    var samples = 1

    @Option(name: .long, help: "Temperature (default: 0 for one sample, 0.7 for several).")
    var temperature: Double?

    @Option(name: .long, help: "Nucleus mass.")
    var topP: Double = 1

    @Option(name: .long, help: "Top-k (0 = off).")
    var topK = 0

    @Option(name: .long, help: "Seed.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Most new tokens per sample (with budget forcing: of the answer).")
    var maxNewTokens = 512

    @Option(name: .long, help: "Samples decoded together.")
    var batch = 8

    @Option(name: .long, help: "Replace a task's answer instruction: TASK=TEXT (repeatable; empty TEXT for none).")
    var instruction: [String] = []

    @OptionGroup var budget: BudgetFlags
    @OptionGroup var decodeThreads: DecodeThreadsFlags

    @Flag(name: .long, help: "Decode from a GGUF's Q4_0/Q4_1/Q8_0 blocks bitwise as from its fp32 weights (slower; default: int16 activations and integer dot products, within the README's tolerance).")
    var exact = false

    @Option(name: .long, help: "Comma-separated thinking budgets (max thinking tokens): one run each, a table and a plot.")
    var thinkingBudgets: String?

    @Option(name: .long, help: "JSON report path.")
    var report: String = "eval-report.json"

    @Option(name: .long, help: "Per-item JSONL path.")
    var items: String = "eval-items.jsonl"

    @Option(name: .long, help: "SVG plot of the budget sweep.")
    var plot: String = "eval-scaling.svg"

    @Flag(name: .long, help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        if samples < 1 { throw ValidationError("--samples must be at least 1") }
        if let l = limit, l < 1 { throw ValidationError("--limit must be at least 1") }
        if task != "auto" && EvalTask(rawValue: task) == nil { throw ValidationError("--task must be gsm8k, math, ifeval or auto") }
        if maxNewTokens < 1 { throw ValidationError("--max-new-tokens must be at least 1") }
    }

    func run() throws {
        let files = try InputFiles.resolve(input)
        let evalItems = try Self.loadItems(files, task: EvalTask(rawValue: task), limit: limit)
        guard !evalItems.isEmpty else { throw CLIFailure(description: "no eval items in \(input.joined(separator: " "))") }
        let prompts = try Self.promptProtocol(instruction)
        let gen = try LocalModel.open(model, topK: topK, batch: batch, budget: nil, threads: decodeThreads.threads, exact: exact)
        let temp = temperature ?? (samples > 1 ? 0.7 : 0)
        var settings = EvalSettings(samples: samples, temperature: temp, topP: topP, seed: seed, maxTokens: maxNewTokens)
        let base = try budget.budget()
        var budgets: [Int?] = [nil]
        if let list = thinkingBudgets {
            budgets = try list.split(separator: ",").map {
                guard let v = Int($0.trimmingCharacters(in: .whitespaces)), v >= 1 else { throw ValidationError("--thinking-budgets must list positive integers") }
                return v
            }
        }
        let itemsOut = try AtomicFileWriter(path: items)
        var runs: [(Int?, EvalSummary)] = []
        for b in budgets {
            var bf = base
            if let b { bf = bf ?? .s1; bf?.maxThinking = b; if let m = bf?.minThinking, m > b { bf?.minThinking = b } }
            gen.options.budget = bf
            settings.answerMarker = bf?.endDelimiter
            let started = Date()
            let results = try Evaluator.run(evalItems, generator: gen, prompts: prompts, settings: settings) { done in
                if !quiet { Console.info("eval\(b.map { " (budget \($0))" } ?? ""): \(done)/\(evalItems.count) items") }
            }
            var buf: [UInt8] = []
            for r in results {
                var o = r.json
                if let b, case .object(var obj) = o { obj["thinking_budget"] = .int(b); o = .object(obj) }
                buf += JSONWriter.bytes(o); buf.append(0x0A)
            }
            try itemsOut.write(buf)
            let s = Evaluator.summarize(results)
            runs.append((b, s))
            if !quiet { Console.info(String(format: "%.1f s", Date().timeIntervalSince(started))) }
        }
        try itemsOut.commit()
        let table = Self.table(runs, samples: samples)
        Console.info(table)
        var rep = JSONObject()
        rep["model"] = .string(model)
        rep["task"] = .string(task)
        rep["input"] = .array(files.map { .string($0) })
        rep["settings"] = .object(JSONObject([
            "samples": .int(samples), "temperature": .double(temp), "top_p": .double(topP), "top_k": .int(topK),
            "seed": .string(String(seed)), "max_new_tokens": .int(maxNewTokens),
            "budget_forcing": base.map { b in .object(JSONObject([
                "start": .string(b.startDelimiter), "end": .string(b.endDelimiter), "min_thinking": b.minThinking.map(JSONValue.int) ?? .null,
                "max_thinking": b.maxThinking.map(JSONValue.int) ?? .null, "max_waits": .int(b.maxWaits), "wait": .string(b.waitString)])) } ?? .null,
            "instructions": .object(JSONObject(EvalTask.allCases.map { JSONObject.Entry(key: $0.rawValue, value: .string(prompts.instructions[$0] ?? "")) })),
        ]))
        rep["runs"] = .array(runs.map { b, s in
            var o = JSONObject()
            o["thinking_budget"] = b.map(JSONValue.int) ?? .null
            o["summary"] = s.json
            return .object(o)
        })
        rep["items_file"] = .string(items)
        if thinkingBudgets != nil {
            let pts = runs.map { SVGPlot.Point(x: $0.1.avgThinkingTokens, y: samples > 1 ? $0.1.majorityAtK : $0.1.accuracy, label: "\($0.0 ?? 0)") }
            try AtomicFileWriter.write(SVGPlot.lineChart(pts, title: "Budget forcing: accuracy vs thinking tokens",
                                                         xLabel: "average thinking tokens", yLabel: samples > 1 ? "majority@\(samples)" : "accuracy"),
                                       to: plot)
            rep["plot"] = .string(plot)
        }
        try AtomicFileWriter.write(PrettyJSON.string(.object(rep)) + "\n", to: report)
        if let last = runs.last {
            Console.stdout(String(format: "accuracy: %.4f", last.1.accuracy))
        }
    }

    static func loadItems(_ files: [String], task: EvalTask?, limit: Int?) throws -> [EvalItem] {
        var out: [EvalItem] = []
        var ids = UniqueIDs()
        let reader = RecordReader(files: files)
        try reader.forEach { rec in
            if let l = limit, out.count >= l { return }
            let id = ids.claim(try RecordID.of(rec))
            out.append(try EvalItem.from(rec, id: id, task: task))
        }
        return out
    }

    static func promptProtocol(_ overrides: [String]) throws -> EvalPromptProtocol {
        var p = EvalPromptProtocol()
        for o in overrides {
            guard let eq = o.firstIndex(of: "="), let t = EvalTask(rawValue: String(o[..<eq])) else {
                throw ValidationError("--instruction must be TASK=TEXT with TASK gsm8k, math or ifeval")
            }
            p.instructions[t] = String(o[o.index(after: eq)...])
        }
        return p
    }

    static func table(_ runs: [(Int?, EvalSummary)], samples: Int) -> String {
        var rows: [[String]] = []
        for (b, s) in runs {
            rows.append([b.map(String.init) ?? "-", String(s.items), String(format: "%.1f", s.avgThinkingTokens), String(format: "%.1f", s.avgTokens),
                         String(format: "%.2f", s.avgWaits), String(format: "%.1f%%", 100 * s.accuracy),
                         String(format: "%.1f%%", 100 * s.majorityAtK), String(format: "%.1f%%", 100 * s.passAtK)])
        }
        let header = ["budget", "items", "thinking", "tokens", "waits", "accuracy", "maj@\(samples)", "pass@\(samples)"]
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ r: [String]) -> String { r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ") }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
