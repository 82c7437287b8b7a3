/// Judges sampled completions of one verifiable prompt: the reward function of RLVR.
///
/// A record in the verifiable layout (`ground_truth`, `dataset`) is scored exactly as `verify` scores
/// it with the completion as its `response` (`Verifier.score`), so a reward in training equals the
/// reward `verify` writes: 1/0 for answers, the fraction of satisfied constraints for ifeval. An eval
/// record without `ground_truth` (IFEval's `instruction_id_list` + `kwargs`, GSM8K's `answer`) is
/// graded as `eval` grades it (`Evaluator.grade`), which calls the same extractors and constraints.
public struct CompletionJudge: Sendable {
    public let item: EvalItem
    let record: RawRecord
    /// The verifier named for `Verifier.score` when the record has no `dataset` field.
    let dataset: String
    let viaVerifier: Bool
    /// Added when the completion states its answer with an explicit marker (`#### N`, `\boxed{}`,
    /// `The answer is`): the optional format reward. Not given for ifeval prompts.
    public var formatReward: Double

    /// `defaultDataset` nil: the item's task (gsm8k, math or ifeval).
    public init(record: RawRecord, item: EvalItem, defaultDataset: String? = nil, formatReward: Double = 0) throws {
        self.record = record; self.item = item; self.formatReward = formatReward
        dataset = defaultDataset ?? item.task.rawValue
        if let t = try record.value("ground_truth"), !t.isNull { viaVerifier = true } else { viaVerifier = false }
    }

    /// The reward of `completion` and whether it is fully correct.
    public func judge(_ completion: String) throws -> (reward: Double, correct: Bool) {
        var reward: Double
        if viaVerifier {
            reward = try Verifier.score(record.setting("response", to: .string(completion)), defaultDataset: dataset).reward
        } else {
            reward = Evaluator.grade(completion, item: item, answerMarker: nil).2
        }
        let correct = reward >= 1
        if formatReward != 0, item.task != .ifeval, let a = AnswerExtractor.extract(completion, dataset: item.task.answerDataset),
           a.rule != .lastNumber, a.rule != .lastMath {
            reward += formatReward
        }
        return (reward, correct)
    }
}
