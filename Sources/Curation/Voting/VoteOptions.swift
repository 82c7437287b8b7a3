/// Settings of self-consistency voting (DESIGN.md section 5, Tulu 3 persona math filtering).
public struct VoteOptions: Sendable {
    /// Keep an instance only when majority votes / all completions is *greater* than this (0.5: a strict
    /// majority of all completions, those without an answer included).
    public var minAgreement: Double
    /// Output the first (or shortest) majority completion, or all of them.
    public var keep: VoteKeep
    /// Which majority completion `keep: .one` outputs.
    public var prefer: VotePreference
    /// The extractor for records without a `dataset` field.
    public var defaultDataset: AnswerDataset
    /// Whether a majority answer that disagrees with the record's `ground_truth` drops the instance
    /// (`check`), or the vote alone decides (`ignore`: Tulu 3's persona math, where no gold answer exists;
    /// `vote.gold_match` is still written, so a lab can count the wrong majorities kept).
    public var gold: VoteGold = .check
    /// Worker threads; results do not depend on it.
    public var threads: Int
    /// Instances handed to the workers at a time.
    public var batchSize: Int

    public init(minAgreement: Double = 0.5, keep: VoteKeep = .one, prefer: VotePreference = .first,
                defaultDataset: AnswerDataset = .math, threads: Int = defaultThreadCount, batchSize: Int = 2048) {
        self.minAgreement = minAgreement
        self.keep = keep
        self.prefer = prefer
        self.defaultDataset = defaultDataset
        self.threads = threads
        self.batchSize = batchSize
    }

    /// Throws `invalidArgument` for settings that cannot work (agreement outside [0, 1)).
    public func validate() throws {
        guard minAgreement >= 0, minAgreement < 1 else {
            throw CurationError.invalidArgument("--min-agreement must be in [0, 1) (votes must be greater than it), got \(minAgreement)")
        }
        guard batchSize > 0 else { throw CurationError.invalidArgument("batch size must be positive") }
    }

    /// The settings as report JSON.
    public var json: [String: JSONValue] {
        ["min_agreement": .double(minAgreement), "keep": .string(keep.rawValue), "prefer": .string(prefer.rawValue),
         "dataset": .string(defaultDataset.rawValue), "gold": .string(gold.rawValue)]
    }
}

/// What a record's `ground_truth` does to the vote: `check` drops a majority that disagrees with it,
/// `ignore` keeps the majority whatever the gold says.
public enum VoteGold: String, Sendable, CaseIterable { case check, ignore }

public enum VoteKeep: String, Sendable, CaseIterable { case one, all }
public enum VotePreference: String, Sendable, CaseIterable { case first, shortest }

/// Why an instance was dropped. Raw values are the report's reason names.
public enum VoteDropReason: String, Sendable, CaseIterable {
    /// No completion had an extractable answer.
    case noAnswer = "no-answer"
    /// The largest group is tied with another, or its share is not above `minAgreement`.
    case noMajority = "no-majority"
    /// The majority answer is not equivalent to `ground_truth`.
    case disagreesWithGold = "disagrees-with-gold"
}
