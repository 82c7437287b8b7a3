import Foundation

/// Scores one verifiable (RLVR) record with the verifier its `dataset` names (pure; safe on worker
/// threads). Shared by `curate-tool verify` and the recipe's verify stage through `VerifyStage`.
public enum Verifier {
    /// A scored record: the record with `reward`, `extracted`, `rule` (and `constraints` for ifeval, and
    /// `verdict_reason` when the answer could not be compared on its value), its dataset name, the reward
    /// and the rule.
    public struct Scored: Sendable {
        public var record: RawRecord
        public var dataset: String
        public var reward: Double
        public var rule: String?
    }

    /// Throws `CurationError.badRecord` (file, line, reason) when the record parses but cannot be scored:
    /// no `ground_truth`, no response, an unknown verifier, a malformed constraint set.
    public static func score(_ rec: RawRecord, defaultDataset: String, answers: AnswerOptions = .default) throws -> Scored {
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
            return Scored(record: out, dataset: "ifeval", reward: report.reward, rule: "constraints")
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
        let verdict = found.map { AnswerEquivalence.verdict(extracted: $0, gold: gold, dataset: ds, options: answers) }
        let reward: Double = verdict?.equivalent == true ? 1 : 0
        var out = rec.setting("reward", to: .int(Int(reward)))
            .setting("extracted", to: found.map { .string($0.text) } ?? .null)
            .setting("rule", to: found.map { .string($0.rule.rawValue) } ?? .null)
        if let reason = verdict?.reason { out = out.setting("verdict_reason", to: .string(reason)) }
        return Scored(record: out, dataset: ds.rawValue, reward: reward, rule: found?.rule.rawValue)
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
