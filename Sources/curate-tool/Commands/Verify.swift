import ArgumentParser
import Curation
import Foundation

/// `curate-tool verify`: scores verifiable (RLVR) records with the verifier their `dataset` names.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score verifiable records (gsm8k, math, multiple_choice, ifeval): adds reward, extracted and rule.",
        discussion: """
        Input records: {"id", "messages" or "prompt", "response", "ground_truth", "dataset"}. Without "response" the \
        last assistant message is scored. reward is 1/0 for answers (equivalence, not string equality) and the \
        fraction of constraints met for ifeval (ground_truth is a constraint set: instruction_id_list + kwargs); \
        ifeval records also get "constraints" with each constraint's outcome.
        """)

    @Option(name: .long, parsing: .singleValue, help: "Input file(s), globs or directories.")
    var input: [String]

    @Option(name: .long, help: "Output file (.jsonl, .jsonl.zst or .jsonl.gz).")
    var output: String

    @Option(name: .long, help: "Verifier for records without a dataset field.")
    var dataset: String = "math"

    @Option(name: .long, help: "Report JSON (default: OUTPUT.report.json).")
    var report: String?

    @OptionGroup var global: GlobalOptions
    @OptionGroup var errors: ErrorOptions

    func run() throws {
        let started = Date()
        let files = try InputFiles.resolve(input, allowIncomplete: errors.allowIncomplete)
        let outDir = (output as NSString).deletingLastPathComponent
        let rejected = errors.onError == .skip ? RejectedWriter(directory: errors.rejectedDir ?? (outDir.isEmpty ? "." : outDir)) : nil
        let reader = RecordReader(files: files, policy: errors.onError, rejected: rejected, options: errors.readOptions)
        let sink = try SingleFileWriter(path: output, threads: global.threadCount)
        let defaultDataset = dataset
        var rep = StageReport(stage: "verify")
        var perDataset: [String: (n: Int, reward: Double)] = [:]
        var rules: [String: Int] = [:]

        typealias Scored = Result<(RawRecord, String, Double, String?), CurationError>
        struct Item { var batch: LineBatch; var results: [Result<RawRecord, CurationError>]; var scored: [Scored?] }
        var parallel = OrderedParallel<LineBatch, Item>(threads: global.threadCount) { batch in
            let results = RecordReader.parse(batch)
            let scored: [Scored?] = results.map { r in
                guard case .success(let rec) = r else { return nil }
                do { return .success(try Verifier.score(rec, defaultDataset: defaultDataset)) } catch let e as CurationError {
                    return .failure(e)
                } catch { return .failure(.badRecord(rec.location, reason: "\(error)")) }
            }
            return Item(batch: batch, results: results, scored: scored)
        }
        let consume: (Item) throws -> Void = { item in
            _ = try reader.absorb(item.batch, item.results)
            for s in item.scored {
                guard let s else { continue }
                switch s {
                case .success(let (out, ds, reward, rule)):
                    try sink.write(out)
                    rep.recordsOut += 1
                    perDataset[ds, default: (0, 0)].n += 1
                    perDataset[ds, default: (0, 0)].reward += reward
                    rules[rule ?? "none", default: 0] += 1
                case .failure(let e):
                    guard errors.onError == .skip else { throw e }
                    rep.drop("unverifiable")
                    try Array("{}".utf8).withUnsafeBytes { try rejected?.write(line: $0, error: e) }
                }
            }
        }
        try reader.forEachBatch(batchBytes: 1 << 18) { try parallel.submit($0, consume: consume) }
        try parallel.drain(consume)
        try sink.commit()
        try rejected?.finish()

        rep.absorb(reader.counts)
        rep.seconds = Date().timeIntervalSince(started)
        rep.settings = ["default_dataset": .string(dataset), "inputs": .array(files.map { .string($0) })]
        rep.extra["per_dataset"] = .object(JSONObject(perDataset.keys.sorted().map { k in
            let v = perDataset[k] ?? (0, 0)
            return .init(key: k, value: .object(JSONObject(["records": .int(v.n), "mean_reward": .double(v.n > 0 ? v.reward / Double(v.n) : 0)])))
        }))
        rep.extra["rules"] = .object(JSONObject(rules.keys.sorted().map { .init(key: $0, value: .int(rules[$0] ?? 0)) }))
        try rep.write(to: report ?? output + ".report.json")
        if !global.quiet {
            Console.info(rep.table())
            Console.info(TextTable.render(header: ["dataset", "records", "mean reward"], rows: perDataset.keys.sorted().map { k in
                let v = perDataset[k] ?? (0, 0)
                return [k, "\(v.n)", String(format: "%.3f", v.n > 0 ? v.reward / Double(v.n) : 0)]
            }, rightAlign: [1, 2]))
        }
        if global.json { Console.stdout(PrettyJSON.string(rep.json)) }
    }
}

/// Scores one verifiable record (pure; safe on worker threads).
enum Verifier {
    /// Returns the record with `reward`, `extracted`, `rule` (and `constraints` for ifeval), its
    /// dataset name, the reward and the rule.
    static func score(_ rec: RawRecord, defaultDataset: String) throws -> (RawRecord, String, Double, String?) {
        let datasetName = try rec.string("dataset") ?? defaultDataset
        guard let truth = try rec.value("ground_truth"), !truth.isNull else { throw rec.missing("ground_truth") }
        let response = try responseText(rec)
        if datasetName.lowercased().hasPrefix("ifeval") || datasetName.lowercased().hasPrefix("ifbench") {
            let set: ConstraintSet
            do { set = try ConstraintSet(json: truth) } catch {
                throw CurationError.badRecord(rec.location, reason: "ground_truth is not a constraint set: \(error)")
            }
            let report: ConstraintReport
            do { report = try ConstraintRegistry.standard.evaluate(set, response: response) } catch {
                throw CurationError.badRecord(rec.location, reason: "\(error)")
            }
            let out = rec.setting("reward", to: .double(report.reward)).setting("extracted", to: .null)
                .setting("rule", to: .string("constraints")).setting("constraints", to: report.json)
            return (out, "ifeval", report.reward, "constraints")
        }
        guard let ds = AnswerDataset(name: datasetName) else {
            throw CurationError.badRecord(rec.location, reason: "unknown verifier \"\(datasetName)\" (use gsm8k, math, multiple_choice or ifeval)")
        }
        let gold: String
        switch truth {
        case .string(let s): gold = AnswerExtractor.gold(s, dataset: ds)
        case .number(let n): gold = n
        case .array(let a) where a.first?.stringValue != nil: gold = AnswerExtractor.gold(a[0].stringValue ?? "", dataset: ds)
        default: throw rec.typeError("ground_truth", expected: "string")
        }
        let found = AnswerExtractor.extract(response, dataset: ds)
        let reward: Double = found.map { AnswerEquivalence.matches(candidate: $0.text, gold: gold, dataset: ds) ? 1 : 0 } ?? 0
        let out = rec.setting("reward", to: .int(Int(reward)))
            .setting("extracted", to: found.map { .string($0.text) } ?? .null)
            .setting("rule", to: found.map { .string($0.rule.rawValue) } ?? .null)
        return (out, ds.rawValue, reward, found?.rule.rawValue)
    }

    /// `response`, else the last assistant message.
    static func responseText(_ rec: RawRecord) throws -> String {
        if let r = try rec.string("response") { return r }
        if let m = try rec.value("messages") {
            let messages = try Message.decodeList(m, field: "messages", at: rec.location)
            if let last = messages.last(where: { $0.role == "assistant" }) { return last.content }
        }
        throw CurationError.badRecord(rec.location, reason: "no \"response\" and no assistant message to score")
    }
}
