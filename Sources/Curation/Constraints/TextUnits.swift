/// Text units as the reference checkers (IFEval's `instructions_util`, IFBench) count them, written
/// without NLTK: `\w+` words, whitespace-split words, ASCII `string.punctuation`, Python's
/// `isupper`/`islower`, a rule-based sentence splitter and a word tokenizer close to NLTK's.
enum TextUnits {
    /// Python's `string.punctuation`.
    static let punctuation: Set<Character> = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    static let punctuationAndSpace: Set<Character> = punctuation.union([" "])

    /// Python `\w` for one character: letters, digits, marks and the underscore.
    @inline(__always)
    static func isWordChar(_ c: Character) -> Bool {
        if c == "_" || c.isLetter || c.isNumber { return true }
        return c.unicodeScalars.first.map { $0.properties.generalCategory == .nonspacingMark || $0.properties.generalCategory == .spacingMark } ?? false
    }

    /// `re.findall(r"\w+", text)`, the IFEval word count's tokens.
    static func wordTokens(_ text: String) -> [Substring] {
        var out: [Substring] = []
        var start: String.Index? = nil
        var i = text.startIndex
        while i < text.endIndex {
            if isWordChar(text[i]) {
                if start == nil { start = i }
            } else if let s = start {
                out.append(text[s..<i]); start = nil
            }
            i = text.index(after: i)
        }
        if let s = start { out.append(text[s...]) }
        return out
    }

    static func countWords(_ text: String) -> Int { wordTokens(text).count }

    /// Python `str.split()` (no argument): runs of whitespace separate, no empty pieces.
    static func split(_ text: String) -> [Substring] {
        text.split(whereSeparator: { $0.isWhitespace })
    }
    static func split(_ text: Substring) -> [Substring] {
        text.split(whereSeparator: { $0.isWhitespace })
    }

    /// `text.translate(str.maketrans('', '', string.punctuation))`.
    static func removingPunctuation(_ text: String) -> String {
        String(text.filter { !punctuation.contains($0) })
    }

    /// `text.lower().translate(<remove punctuation>).split()`, IFBench's `_split_words`.
    static func splitWords(_ text: String) -> [String] {
        split(removingPunctuation(text.lowercased())).map(String.init)
    }

    /// Python's `str.isupper()`: at least one cased character and no lowercase or titlecase ones.
    static func isUpper<S: StringProtocol>(_ s: S) -> Bool {
        var cased = false
        for u in s.unicodeScalars {
            let p = u.properties
            if p.isLowercase || p.generalCategory == .titlecaseLetter { return false }
            if p.isUppercase { cased = true }
        }
        return cased
    }

    /// Python's `str.islower()`.
    static func isLower<S: StringProtocol>(_ s: S) -> Bool {
        var cased = false
        for u in s.unicodeScalars {
            let p = u.properties
            if p.isUppercase || p.generalCategory == .titlecaseLetter { return false }
            if p.isLowercase { cased = true }
        }
        return cased
    }

    /// Number of Unicode scalars, Python's `len` of a `str`.
    static func pyLen<S: StringProtocol>(_ s: S) -> Int { s.unicodeScalars.count }

    /// Counts non-overlapping occurrences of `needle` (after lowercasing both when `caseInsensitive`).
    static func occurrences(of needle: String, in haystack: String, caseInsensitive: Bool = true) -> Int {
        let h = caseInsensitive ? haystack.lowercased() : haystack
        let n = caseInsensitive ? needle.lowercased() : needle
        guard !n.isEmpty else { return 0 }
        var count = 0
        var range = h.startIndex..<h.endIndex
        while let r = h.range(of: n, range: range) {
            count += 1
            range = r.upperBound..<h.endIndex
        }
        return count
    }

    /// Occurrences of `word` as a whole word (`\bword\b`, case-insensitive by default): the characters
    /// on either side must not be word characters.
    static func wholeWordOccurrences(of word: String, in text: String, caseInsensitive: Bool = true) -> Int {
        let h = caseInsensitive ? text.lowercased() : text
        let n = caseInsensitive ? word.lowercased() : word
        guard let first = n.first, let last = n.last else { return 0 }
        let checkBefore = isWordChar(first), checkAfter = isWordChar(last)
        var count = 0
        var range = h.startIndex..<h.endIndex
        while let r = h.range(of: n, range: range) {
            let beforeOK = !checkBefore || r.lowerBound == h.startIndex || !isWordChar(h[h.index(before: r.lowerBound)])
            let afterOK = !checkAfter || r.upperBound == h.endIndex || !isWordChar(h[r.upperBound])
            if beforeOK && afterOK {
                count += 1
                range = r.upperBound..<h.endIndex
            } else {
                range = h.index(after: r.lowerBound)..<h.endIndex
            }
        }
        return count
    }

    /// A word tokenizer close to NLTK's `word_tokenize` (Treebank rules): punctuation at either end
    /// of a whitespace chunk becomes its own token, English clitics (`n't`, `'s`, `'re`, `'ve`, `'ll`,
    /// `'d`, `'m`) split off, inner hyphens and apostrophes stay.
    static func tokenize(_ text: String) -> [String] {
        var out: [String] = []
        for chunk in split(text) {
            var s = Substring(chunk)
            var lead: [String] = []
            while let c = s.first, punctuation.contains(c) || c == "“" || c == "‘" {
                lead.append(String(c)); s = s.dropFirst()
            }
            var trail: [String] = []
            while let c = s.last, punctuation.contains(c) || c == "”" || c == "’" {
                trail.insert(String(c), at: 0); s = s.dropLast()
            }
            out.append(contentsOf: lead)
            if !s.isEmpty {
                let lower = s.lowercased()
                var clitic: String? = nil
                for suffix in ["n't", "'s", "'re", "'ve", "'ll", "'d", "'m", "’s", "’re", "’ve", "’ll", "’d", "’m", "n’t"]
                    where lower.hasSuffix(suffix) && lower.count > suffix.count {
                    clitic = suffix; break
                }
                if let c = clitic {
                    let cut = s.index(s.endIndex, offsetBy: -c.count)
                    out.append(String(s[..<cut])); out.append(String(s[cut...]))
                } else {
                    out.append(String(s))
                }
            }
            out.append(contentsOf: trail)
        }
        return out
    }

    /// Tokens that contain at least one letter or digit (IFBench's `_word_tokens_without_punctuation`).
    static func alnumTokens(_ text: String) -> [String] {
        tokenize(text).filter { $0.contains(where: { $0.isLetter || $0.isNumber }) }
    }

    /// A trimming helper taking a character set, Python's `str.strip(chars)`.
    static func strip<S: StringProtocol>(_ s: S, _ chars: Set<Character>) -> Substring {
        var sub = Substring(s)
        while let c = sub.first, chars.contains(c) { sub = sub.dropFirst() }
        while let c = sub.last, chars.contains(c) { sub = sub.dropLast() }
        return sub
    }
    static func lstrip<S: StringProtocol>(_ s: S, _ chars: Set<Character>) -> Substring {
        var sub = Substring(s)
        while let c = sub.first, chars.contains(c) { sub = sub.dropFirst() }
        return sub
    }
    static func rstrip<S: StringProtocol>(_ s: S, _ chars: Set<Character>) -> Substring {
        var sub = Substring(s)
        while let c = sub.last, chars.contains(c) { sub = sub.dropLast() }
        return sub
    }
}

extension StringProtocol {
    /// Python's `str.strip()`: Unicode whitespace off both ends.
    func trimmingWhitespace() -> String {
        var sub = Substring(self)
        while let c = sub.first, c.isWhitespace { sub = sub.dropFirst() }
        while let c = sub.last, c.isWhitespace { sub = sub.dropLast() }
        return String(sub)
    }
}
