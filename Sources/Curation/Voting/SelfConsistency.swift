/// The vote over one instance's completions.
public struct VoteTally: Sendable {
    /// Each completion's extracted answer (nil when none was found).
    public var answers: [ExtractedAnswer?]
    /// Completion indices per group of equivalent answers, largest group first (ties: earliest first).
    public var groups: [[Int]]
    /// The largest group's representative answer (its first completion's answer).
    public var majorityAnswer: ExtractedAnswer?
    public var votes: Int
    public var total: Int
    public var answered: Int
    /// votes / total (0 when there are no completions).
    public var agreement: Double { total == 0 ? 0 : Double(votes) / Double(total) }
    /// Whether the majority answer is equivalent to the gold answer; nil without a gold answer.
    public var goldMatch: Bool?
    /// nil when the instance is kept.
    public var dropReason: VoteDropReason?
    /// The completions to output (indices, ascending), empty when dropped.
    public var selected: [Int]
}

/// Self-consistency voting: extract every completion's answer, group equivalent answers, take the
/// majority, and check it against the gold answer.
public enum SelfConsistency {
    /// Votes over `completions`. `groundTruth` is a gold answer (or a full GSM8K/MATH solution, whose marked
    /// answer is used).
    public static func vote(completions: [String], groundTruth: String?, dataset: AnswerDataset, options: VoteOptions) -> VoteTally {
        let answers = completions.map { AnswerExtractor.extract($0, dataset: dataset) }
        let groups = group(answers, dataset: dataset)
        let answered = answers.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        var tally = VoteTally(answers: answers, groups: groups, majorityAnswer: nil, votes: 0, total: completions.count,
                              answered: answered, goldMatch: nil, dropReason: nil, selected: [])
        guard let top = groups.first, let first = top.first else {
            tally.dropReason = .noAnswer
            return tally
        }
        tally.majorityAnswer = answers[first]
        tally.votes = top.count
        if let g = groundTruth, let a = answers[first] {
            tally.goldMatch = AnswerEquivalence.equivalent(parse(a.text, dataset), parse(AnswerExtractor.gold(g, dataset: dataset), dataset))
        }
        if groups.count > 1 && groups[1].count == top.count {
            tally.dropReason = .noMajority
        } else if !(Double(top.count) > options.minAgreement * Double(completions.count)) {
            tally.dropReason = .noMajority
        } else if tally.goldMatch == false && options.gold == .check {
            tally.dropReason = .disagreesWithGold
        }
        if tally.dropReason == nil {
            switch options.keep {
            case .all: tally.selected = top.sorted()
            case .one:
                switch options.prefer {
                case .first: tally.selected = [top.min() ?? first]
                case .shortest:
                    let best = top.min { a, b in
                        let la = completions[a].utf8.count, lb = completions[b].utf8.count
                        return la != lb ? la < lb : a < b
                    }
                    tally.selected = [best ?? first]
                }
            }
        }
        return tally
    }

    /// Groups answers by equivalence: exact text first, then the canonical key, then a pairwise merge of
    /// the groups' representatives (keys are a fast path; equivalence is the rule). Largest group first.
    public static func group(_ answers: [ExtractedAnswer?], dataset: AnswerDataset) -> [[Int]] {
        var byText: [String: Int] = [:]          // answer text -> group index
        var groups: [[Int]] = []
        var reps: [ParsedAnswer] = []
        var byKey: [String: Int] = [:]
        for (i, a) in answers.enumerated() {
            guard let a = a else { continue }
            if let g = byText[a.text] { groups[g].append(i); continue }
            let p = parse(a.text, dataset)
            if let g = byKey[p.key] {
                groups[g].append(i)
                byText[a.text] = g
                continue
            }
            byKey[p.key] = groups.count
            byText[a.text] = groups.count
            groups.append([i])
            reps.append(p)
        }
        // Merge groups whose representatives are equivalent under different keys (union-find, small n).
        if groups.count > 1 {
            var parent = Array(0..<groups.count)
            func find(_ x: Int) -> Int { var x = x; while parent[x] != x { x = parent[x] }; return x }
            for i in 0..<groups.count {
                for j in (i + 1)..<groups.count where find(i) != find(j) {
                    if AnswerEquivalence.equivalent(reps[i], reps[j]) { parent[find(j)] = find(i) }
                }
            }
            var merged: [Int: [Int]] = [:]
            for (g, members) in groups.enumerated() { merged[find(g), default: []].append(contentsOf: members) }
            groups = merged.values.map { $0.sorted() }
        }
        groups.sort { a, b in a.count != b.count ? a.count > b.count : (a.first ?? 0) < (b.first ?? 0) }
        return groups
    }

    /// Parses an answer for comparison; multiple-choice answers compare as letters.
    static func parse(_ text: String, _ dataset: AnswerDataset) -> ParsedAnswer {
        ParsedAnswer(text)
    }
}
