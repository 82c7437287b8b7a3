/// Whether a response starts with a verb, for IFBench's `words:start_verb`. IFBench tags the
/// response with NLTK's perceptron tagger and asks whether the first token's tag contains "VB"; a
/// tagger model is not something this package can ship, so we decide from a lexicon of verb forms
/// (`VerbLexiconData`, from lemminflect) and, for words that are also nouns, adjectives or adverbs
/// ("Water the plants" vs "Water is wet"), from the token that follows.
public enum VerbLexicon {
    /// The readings a word form can have.
    struct Readings: OptionSet, Sendable {
        let rawValue: UInt16
        static let auxiliary = Readings(rawValue: 1 << 0)
        static let base = Readings(rawValue: 1 << 1)
        static let past = Readings(rawValue: 1 << 2)
        static let participle = Readings(rawValue: 1 << 3)
        static let ing = Readings(rawValue: 1 << 4)
        static let thirdSingular = Readings(rawValue: 1 << 5)
        static let noun = Readings(rawValue: 1 << 6)
        static let adjective = Readings(rawValue: 1 << 7)
        static let adverb = Readings(rawValue: 1 << 8)

        static let nonVerb: Readings = [.noun, .adjective, .adverb]
        static let finite: Readings = [.auxiliary, .past, .thirdSingular]
    }

    /// The lexicon, parsed once per process on first use.
    static let table: [String: Readings] = {
        let flags: [Character: Readings] = ["A": .auxiliary, "B": .base, "D": .past, "N": .participle, "G": .ing,
                                            "Z": .thirdSingular, "n": .noun, "j": .adjective, "r": .adverb]
        var out: [String: Readings] = [:]
        for line in VerbLexiconData.text.split(separator: "\n") {
            var fields = line.split(separator: " ")
            guard let key = fields.first else { continue }
            fields.removeFirst()
            var r: Readings = []
            for c in key { if let f = flags[c] { r.insert(f) } }
            for w in fields { out[String(w)] = r }
        }
        return out
    }()

    /// Penn's MD, not VB: a response opening with one of these does not start with a verb as IFBench
    /// counts verbs.
    static let modals: Set<String> = ["can", "could", "may", "might", "must", "shall", "should", "will", "would", "ought", "wo", "ca", "sha"]

    /// Words that open a noun phrase: after an ambiguous first word they make it a verb with its
    /// object ("Water the plants", "Answer my question"), or a verb with its particle ("Set up").
    static let objectStarters: Set<String> = [
        "the", "a", "an", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our", "their",
        "me", "you", "him", "us", "them", "it", "some", "any", "all", "every", "each", "no", "both", "one",
        "up", "out", "down", "away", "back", "off", "yourself", "yourselves", "what", "how", "whether",
    ]

    static func readings(_ word: String) -> Readings? { table[word.lowercased()] }

    /// The first token, as NLTK's `word_tokenize` would cut it (a leading quote or bullet is a token
    /// of its own, and not a verb), and whether it reads as a verb there.
    public static func startsWithVerb(_ text: String) -> Bool {
        // Only the first two tokens matter: tokenize a bounded prefix of the first line.
        let head = String(text.trimmingWhitespace().prefix(200))
        let tokens = TextUnits.tokenize(head)
        guard let first = tokens.first else { return false }
        let w = first.lowercased()
        if modals.contains(w) { return false }
        guard let r = table[w] else { return false }
        if r.contains(.auxiliary) || r.isDisjoint(with: .nonVerb) || r.contains(.ing) { return true }
        // Ambiguous: a verb form that is also a noun, adjective or adverb.
        guard tokens.count > 1 else { return false }  // a lone "Water" or "Summary" is a noun
        let next = tokens[1].lowercased()
        // A clitic "'s" after a noun-verb is a possessive ("Water's edge"), except in "Let's".
        if next == "'s" || next == "\u{2019}s" { return w == "let" }
        guard let c = next.first, c.isLetter || c.isNumber else { return false }  // "Answer:", "Love, ..."
        if c.isNumber || objectStarters.contains(next) { return true }
        if let n = table[next] {
            // A finite verb that is nothing else follows: the first word is its subject ("Love conquers").
            if !n.isDisjoint(with: .finite) && n.isDisjoint(with: .nonVerb) && !n.contains(.base) { return false }
            if n.contains(.auxiliary) || modals.contains(next) { return false }  // "Water is", "Time will"
        }
        if modals.contains(next) { return false }
        if next == "of" { return false }  // "Love of learning"
        return true
    }
}
