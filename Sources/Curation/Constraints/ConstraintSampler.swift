/// Samples constraint sets for persona-driven instruction-following synthesis (Tulu 3): 1 to 3
/// instructions that can be added to any task, each with valid kwargs, none conflicting with another
/// (never lowercase together with uppercase, never two word-count limits, never a JSON-only answer with
/// anything that shapes prose), rendered as prompt sentences. Deterministic for a seeded generator.
public struct ConstraintSampler: Sendable {
    public let registry: ConstraintRegistry
    /// The ids drawn from, in a fixed order (sampling is deterministic for a seed).
    public let candidateIDs: [String]

    /// `ids` restricts the draw (default: every sampleable instruction of the registry).
    public init(registry: ConstraintRegistry = .standard, ids: [String]? = nil) {
        self.registry = registry
        let pool = ids ?? Array(registry.checkers.keys)
        candidateIDs = pool.filter { registry.checkers[$0]?.isSampleable == true }.sorted()
    }

    /// A sampled set with the instruction sentences, in the set's order.
    public struct Sample: Sendable, Hashable {
        public var set: ConstraintSet
        public var descriptions: [String]
        /// The sentences joined for a prompt.
        public var promptText: String { descriptions.joined(separator: " ") }
    }

    /// Draws `count` mutually compatible constraints. A greedy pass over a shuffled order can paint
    /// itself into a corner (an answer-shaping instruction admits few partners), so it retries with a
    /// fresh shuffle, up to 32 times, and returns the largest set found (fewer than `count` only when
    /// the candidates cannot make up that many).
    public func sample(count: Int, rng: inout SplitMix64, prompt: String? = nil) -> Sample {
        var context = SamplingContext(rng: rng, prompt: prompt)
        var best = Sample(set: ConstraintSet([]), descriptions: [])
        for _ in 0..<32 {
            var order = candidateIDs
            context.rng.shuffle(&order)
            context.usedWords = []
            var chosen: [Constraint] = []
            var descriptions: [String] = []
            for id in order where chosen.count < count {
                guard !chosen.contains(where: { Self.conflicts($0.id, id) }), let checker = registry.checkers[id],
                      let kwargs = checker.sampleKwargs(&context),
                      let bound = try? checker.bind(kwargs) else { continue }
                chosen.append(Constraint(id: id, kwargs: kwargs))
                descriptions.append(bound.description)
            }
            if chosen.count > best.set.constraints.count {
                best = Sample(set: ConstraintSet(chosen), descriptions: descriptions)
            }
            if chosen.count >= count { break }
        }
        rng = context.rng
        return best
    }

    /// Removes the constraint at `index` (the Tulu 3 "rejected" prompt rewrite drops one constraint);
    /// nil when the set has fewer than 2 constraints.
    public static func dropping(_ index: Int, from set: ConstraintSet) -> ConstraintSet? {
        guard set.constraints.count >= 2, set.constraints.indices.contains(index) else { return nil }
        var c = set.constraints
        c.remove(at: index)
        return ConstraintSet(c)
    }

    // MARK: conflicts

    /// Groups of instructions that contradict or make each other trivial; any two members conflict.
    static let groups: [Set<String>] = [
        ["change_case:english_lowercase", "change_case:english_capital", "change_case:capital_word_frequency", "format:title_case"],
        ["length_constraints:number_words", "count:word_count_range", "count:unique_word_count"],
        ["length_constraints:number_paragraphs", "length_constraints:nth_paragraph_first_word", "words:paragraph_last_first", "words:vowel", "format:line_indent"],
        ["length_constraints:number_sentences", "sentence:increment", "ratio:sentence_type", "ratio:sentence_balance",
         "sentence:alliteration_increment", "words:last_first", "ratio:sentence_words", "length_constraints:number_paragraphs"],
        ["detectable_format:multiple_sections", "detectable_format:number_highlighted_sections", "format:thesis"],
        ["detectable_format:number_bullet_lists", "format:sub-bullets", "format:no_bullets_bullets", "format:list"],
        ["startend:quotation", "detectable_format:title", "format:quote_unquote"],
        ["startend:end_checker", "detectable_content:postscript"],
        ["punctuation:no_comma", "count:punctuation"],
        // A verb must come first: a quote, a fixed first word or a keyword at the start would clash.
        ["words:start_verb", "startend:quotation", "length_constraints:nth_paragraph_first_word", "words:keywords_specific_position"],
    ]

    /// Instructions that shape the whole answer: they conflict with everything except the listed ids.
    static let exclusive: [String: Set<String>] = [
        "detectable_format:constrained_response": [],
        "format:options": [],
        "format:no_whitespace": [],
        "format:newline": ["keywords:forbidden_words"],
        "words:alphabet": [],
        "words:odd_even_syllables": [],  // every word's syllables are fixed by its neighbours
        "words:consonants": ["keywords:forbidden_words"],
        "words:prime_lengths": ["keywords:forbidden_words"],
        "detectable_format:json_format": ["keywords:existence", "keywords:forbidden_words"],
        "combination:two_responses": ["keywords:existence", "keywords:forbidden_words", "language:response_language", "detectable_format:title", "punctuation:no_comma"],
        "combination:repeat_prompt": ["keywords:existence", "detectable_format:title", "punctuation:no_comma"],
        "repeat:repeat_change": [], "repeat:repeat_span": [], "repeat:repeat_simple": [],
        "language:response_language": ["punctuation:no_comma", "length_constraints:number_paragraphs", "detectable_format:number_bullet_lists",
                                       "detectable_content:number_placeholders", "detectable_format:title", "startend:quotation",
                                       "detectable_content:postscript", "length_constraints:number_words", "length_constraints:number_sentences",
                                       "combination:two_responses", "format:parentheses", "format:emoji", "count:numbers"],
    ]

    /// Whether two instructions should not be given together.
    public static func conflicts(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        if a.hasPrefix("custom:") || b.hasPrefix("custom:") { return true }
        if let allowed = exclusive[a], !allowed.contains(b) { return true }
        if let allowed = exclusive[b], !allowed.contains(a) { return true }
        return groups.contains { $0.contains(a) && $0.contains(b) }
    }
}
