import Foundation

/// Settings of the verify stage (CLI flags and recipe settings map onto these).
public struct VerifyOptions: Sendable {
    /// Verifier for records without a `dataset` field.
    public var defaultDataset: String
    /// Keep only records whose reward reaches this (the rest are dropped as `below-min-reward`).
    public var minReward: Double?
    public var threads: Int
    /// How answers are compared (precision, set/relation matching, strictness).
    public var answers: AnswerOptions

    public init(defaultDataset: String = "math", minReward: Double? = nil, threads: Int = 1, answers: AnswerOptions = .default) {
        self.defaultDataset = defaultDataset
        self.minReward = minReward
        self.threads = threads
        self.answers = answers
    }

    public var json: [String: JSONValue] {
        var j: [String: JSONValue] = ["default_dataset": .string(defaultDataset), "min_reward": minReward.map { .double($0) } ?? .null]
        // Only when changed, so that reports and stage fingerprints of default runs stay as they were.
        if answers != .default { j["answers"] = .object(JSONObject(answers.json.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: $0.value) })) }
        return j
    }
}

/// The verify stage over a stream of verifiable records: the one implementation behind `curate-tool verify`
/// and the recipe's `kind: verify` (so both apply the same policy).
///
/// Records are scored in batches on worker threads and written in input order. Record accounting: in =
/// out + dropped, where a record that parses but cannot be scored (no ground truth, unknown verifier, ...)
/// is dropped as `unverifiable` and written verbatim to the rejected file with its reason under
/// `ErrorPolicy.skip` (thrown under `.fail`), a record below `minReward` is dropped as `below-min-reward`,
/// and lines that do not parse are counted by the reader as `rejected:<kind>`.
public enum VerifyStage {
    /// Reads every record of `reader`, scores it, hands kept records to `emit` and returns the report, with
    /// `per_dataset` (records, mean reward) and `rules` (how answers were found) in its extras.
    public static func run(reader: RecordReader, options: VerifyOptions, rejected: RejectedWriter? = nil,
                           emit: (RawRecord) throws -> Void) throws -> StageReport {
        let started = Date()
        var rep = StageReport(stage: "verify")
        rep.settings = options.json
        var perDataset: [String: (n: Int, reward: Double)] = [:]
        var rules: [String: Int] = [:]
        let policy = reader.policy
        let defaultDataset = options.defaultDataset
        let answerOptions = options.answers

        typealias Outcome = Result<Verifier.Scored, CurationError>
        struct Item { var batch: LineBatch; var parsed: [Result<RawRecord, CurationError>]; var scored: [Outcome?] }
        var parallel = OrderedParallel<LineBatch, Item>(threads: options.threads) { batch in
            let parsed = RecordReader.parse(batch)
            let scored: [Outcome?] = parsed.map { p in
                guard case .success(let rec) = p else { return nil }
                do { return .success(try Verifier.score(rec, defaultDataset: defaultDataset, answers: answerOptions)) } catch let e as CurationError {
                    return .failure(e)
                } catch { return .failure(.badRecord(rec.location, reason: "\(error)")) }
            }
            return Item(batch: batch, parsed: parsed, scored: scored)
        }
        func consume(_ item: Item) throws {
            // Lines are handled in input order, unreadable and unverifiable alike, so that `fail` stops at
            // the first bad line and `skip` writes rejected lines in the order they came. The reader counts
            // the readable ones (a batch of just those lines, so none is rejected twice).
            var readable = LineBatch(file: item.batch.file, sequence: item.batch.sequence)
            for (k, p) in item.parsed.enumerated() {
                let line = item.batch.lines[k]
                guard case .success(let input) = p else {
                    if case .failure(let e) = p {
                        try item.batch.data.withUnsafeBytes { try reader.reject(UnsafeRawBufferPointer(rebasing: $0[line.start..<(line.start + line.count)]), error: e) }
                    }
                    continue
                }
                readable.lines.append(line)
                guard let s = item.scored[k] else { continue }
                switch s {
                case .success(let scored):
                    perDataset[scored.dataset, default: (0, 0)].n += 1
                    perDataset[scored.dataset, default: (0, 0)].reward += scored.reward
                    rules[scored.rule ?? "none", default: 0] += 1
                    if let m = options.minReward, scored.reward < m { rep.drop("below-min-reward"); continue }
                    try emit(scored.record)
                    rep.recordsOut += 1
                case .failure(let e):
                    guard policy == .skip else { throw e }
                    rep.drop("unverifiable")
                    try input.bytes.withUnsafeBytes { try rejected?.write(line: $0, error: e) }
                }
            }
            try reader.absorb(readable, failures: [])
        }
        try reader.forEachBatch(batchBytes: 1 << 18) { try parallel.submit($0, consume: consume) }
        try parallel.drain(consume)

        rep.absorb(reader.counts)
        rep.seconds = Date().timeIntervalSince(started)
        rep.extra["per_dataset"] = .object(JSONObject(perDataset.keys.sorted().map { k in
            let v = perDataset[k] ?? (0, 0)
            return .init(key: k, value: VerifyReport.perDatasetEntry(records: v.n, rewardSum: v.reward))
        }))
        rep.extra["rules"] = .object(JSONObject(rules.keys.sorted().map { .init(key: $0, value: .int(rules[$0] ?? 0)) }))
        try rep.check()
        return rep
    }
}

/// The report's per-dataset entry, one definition for a run and for merged shares.
public enum VerifyReport {
    /// `{records, mean_reward, reward_sum}`; the sums are rounded to 1e-9 so shares summed in another
    /// order give the same figures as one run.
    public static func perDatasetEntry(records: Int, rewardSum: Double) -> JSONValue {
        func r9(_ x: Double) -> Double { (x * 1e9).rounded() / 1e9 }
        return .object(JSONObject(["records": .int(records), "mean_reward": .double(records > 0 ? r9(rewardSum / Double(records)) : 0),
                                   "reward_sum": .double(r9(rewardSum))]))
    }
}
