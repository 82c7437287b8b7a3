/// Finds the final answer in a model completion.
///
/// Every explicit marker (`\boxed{}`, `\fbox{}`, `####`, `Final Answer:`, `The answer is`, `Answer:`) is
/// located in one pass over the bytes; the one that *starts last* wins, because models restate and correct
/// themselves and the last statement is the one they stand by. A marker inside another marker's phrase
/// (`Answer:` inside `Final Answer:`) does not count separately. The last number in the text is used only
/// when no marker appears at all. Scanning is byte-level: self-consistency voting extracts from millions
/// of completions.
public enum AnswerExtractor {
    /// The answer in `completion`, or nil when none is found.
    public static func extract(_ completion: String, dataset: AnswerDataset = .math) -> ExtractedAnswer? {
        var s = completion
        return s.withUTF8 { extract(bytes: $0, dataset: dataset) }
    }

    /// Like `extract(_:dataset:)` over UTF-8 bytes.
    public static func extract(bytes: UnsafeBufferPointer<UInt8>, dataset: AnswerDataset = .math) -> ExtractedAnswer? {
        var scanner = Scanner(b: bytes)
        if let m = scanner.lastMarker() {
            let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[m.content]), as: UTF8.self)
            switch dataset {
            case .math:
                if m.rule == .boxed {
                    let parts = boxTexts(bytes)
                    if parts.count > 1 { return ExtractedAnswer(text: parts.joined(separator: ", "), rule: .boxedAll, parts: parts) }
                } else if m.rule != .gsm8k, let v = sentenceValue(bytes, m.content) {
                    return ExtractedAnswer(text: String(decoding: UnsafeBufferPointer(rebasing: bytes[v]), as: UTF8.self), rule: .sentence)
                }
                return ExtractedAnswer(text: raw, rule: m.rule)
            case .gsm8k:
                return ExtractedAnswer(text: gsm8kNumber(raw) ?? raw, rule: m.rule)
            case .multipleChoice:
                return ExtractedAnswer(text: choiceLetter(raw) ?? raw, rule: m.rule)
            }
        }
        switch dataset {
        case .multipleChoice:
            if let l = lastLineChoice(bytes) ?? lastParenthesisedChoice(bytes) { return ExtractedAnswer(text: String(UnicodeScalar(l)), rule: .choice) }
            return nil
        case .math:
            if let spans = mathSpans(bytes) {
                // Delimiters but no complete span (broken inline math): no answer rather than a stray number.
                let parts = spans.run.map { boxTrim(bytes, $0) }.filter { !$0.isEmpty }
                    .map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
                guard !parts.isEmpty else { return nil }
                // A closing sentence after the last span that states a number (`... $y \le 9$. So the result
                // is 16.`) is where the response ends up: the number, not an earlier span of the working.
                if let last = spans.run.last, let num = closingSentenceNumber(bytes, after: last.upperBound) {
                    return ExtractedAnswer(text: String(decoding: UnsafeBufferPointer(rebasing: bytes[num]), as: UTF8.self), rule: .sentence)
                }
                return ExtractedAnswer(text: parts.joined(separator: ", "), rule: .lastMath, parts: parts)
            }
            guard let r = lastStandaloneNumber(bytes, from: 0, to: bytes.count) else { return nil }
            return ExtractedAnswer(text: String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self), rule: .lastNumber)
        case .gsm8k:
            guard let r = lastNumber(bytes, from: 0, to: bytes.count) else { return nil }
            let t = String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
            return ExtractedAnswer(text: dataset == .gsm8k ? withoutCommas(t) : t, rule: .lastNumber)
        }
    }

    /// The last number standing alone after the math span ending at `spanEnd`, when a sentence ends between
    /// the span and the number (`.`, `!` or `?` before whitespace, or a line break) and no math delimiter
    /// follows the span: the response's closing sentence states it. Nil when the number shares the span's
    /// sentence (`$x = 5$ is found in 2 steps` keeps the span). Linear in the tail.
    static func closingSentenceNumber(_ b: UnsafeBufferPointer<UInt8>, after spanEnd: Int) -> Range<Int>? {
        // Past the span's closing delimiter (`$`, `$$`, `\)` or `\]`).
        var i = min(spanEnd, b.count)
        var skipped = 0
        while i < b.count, skipped < 2, b[i] == UInt8(ascii: "$") || b[i] == UInt8(ascii: "\\") || b[i] == UInt8(ascii: ")") || b[i] == UInt8(ascii: "]") {
            i += 1
            skipped += 1
        }
        guard let num = lastStandaloneNumber(b, from: i, to: b.count) else { return nil }
        var boundary = false
        var k = i
        while k < num.lowerBound {
            let c = b[k]
            if c == UInt8(ascii: "$") { return nil }
            if c == UInt8(ascii: "\n") { boundary = true } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "!") || c == UInt8(ascii: "?") {
                if k + 1 < b.count, isSpace(b[k + 1]) { boundary = true }
            }
            k += 1
        }
        return boundary ? num : nil
    }

    /// Whitespace trimmed off both ends of a range.
    static func boxTrim(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Range<Int> {
        var s = r.lowerBound, e = r.upperBound
        while s < e, isSpace(b[s]) { s += 1 }
        while e > s, isSpace(b[e - 1]) { e -= 1 }
        return s..<e
    }

    /// The gold answer of a record's `ground_truth`: a GSM8K solution ending `#### N` or a MATH solution
    /// with `\boxed{}` gives the marked answer (every box, joined by `, `, when there are several); anything
    /// else is taken whole.
    public static func gold(_ groundTruth: String, dataset: AnswerDataset = .math) -> String {
        var s = groundTruth
        if dataset == .math {
            let parts = s.withUTF8 { boxTexts($0) }
            if parts.count > 1 { return parts.joined(separator: ", ") }
        }
        let marked: Scanner.Match? = s.withUTF8 { b in
            var sc = Scanner(b: b)
            guard let m = sc.lastMarker(), m.rule == .gsm8k || m.rule == .boxed else { return nil }
            return m
        }
        var text = groundTruth
        if let m = marked {
            text = s.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[m.content]), as: UTF8.self) }
        }
        switch dataset {
        case .math: return text
        case .gsm8k: return gsm8kNumber(text) ?? text
        case .multipleChoice: return choiceLetter(text) ?? text
        }
    }

    // MARK: - Post-processing per dataset

    /// GSM8K answers are numbers: a content that is a plain number (after `$`, commas and units) stays;
    /// otherwise the last number inside it ("18 dollars per day" -> 18, "5 + 3 = 8" -> 8).
    static func gsm8kNumber(_ content: String) -> String? {
        var s = content
        return s.withUTF8 { b -> String? in
            guard let r = lastNumber(b, from: 0, to: b.count) else { return nil }
            // Keep a leading minus written as `$-5` or `-\$5` is rare; lastNumber already takes a sign.
            return String(decoding: b[r].lazy.filter { $0 != UInt8(ascii: ",") }, as: UTF8.self)
        }
    }

    static func withoutCommas(_ s: String) -> String {
        s.utf8.contains(UInt8(ascii: ",")) ? String(decoding: s.utf8.filter { $0 != UInt8(ascii: ",") }, as: UTF8.self) : s
    }

    /// The choice letter in a marker's content: `B`, `(B)`, `B)`, `B.`, `\text{(B)}`, `**B**`,
    /// `(B) 42`, `Option B`. Nil when the content does not start with a lone letter A-J.
    public static func choiceLetter(_ content: String) -> UInt8? {
        var t = content
        for w in ["\\textbf{", "\\text{", "\\mathrm{", "\\mathbf{"] { t = t.replacingOccurrences(of: w, with: "") }
        var bytes = Array(t.utf8).filter { $0 != UInt8(ascii: "*") && $0 != UInt8(ascii: "$") && $0 != UInt8(ascii: "{") && $0 != UInt8(ascii: "}") }
        while let f = bytes.first, f == 0x20 || f == UInt8(ascii: "(") || f == UInt8(ascii: "[") || f == 0x0A { bytes.removeFirst() }
        for prefix in ["option ", "choice "] where bytes.count > prefix.utf8.count {
            if zip(bytes, prefix.utf8).allSatisfy({ lower($0) == $1 }) { bytes.removeFirst(prefix.utf8.count) }
        }
        guard let f = bytes.first, f >= UInt8(ascii: "A"), f <= UInt8(ascii: "J") else { return nil }
        if bytes.count == 1 { return f }
        let n = bytes[1]
        if isLetter(n) || isDigit(n) { return nil }
        return f
    }
    static func choiceLetter(_ content: String) -> String? { (choiceLetter(content) as UInt8?).map { String(UnicodeScalar($0)) } }

    /// A letter standing alone on the last non-empty line.
    /// A `(X)` with X in A-J that ends the text, give or take closing punctuation ("I pick (C).",
    /// "so the correct option is **(B)**"): a fallback for multiple choice when the last line is not a
    /// bare letter. A list of options ("(A) 1 (B) 2") does not end with one and gives nil.
    static func lastParenthesisedChoice(_ b: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var end = b.count
        while end > 0, isSpace(b[end - 1]) || b[end - 1] == UInt8(ascii: ".") || b[end - 1] == UInt8(ascii: "*") || b[end - 1] == UInt8(ascii: "!") {
            end -= 1
        }
        guard end >= 3, b[end - 1] == UInt8(ascii: ")"), b[end - 3] == UInt8(ascii: "("),
              b[end - 2] >= UInt8(ascii: "A"), b[end - 2] <= UInt8(ascii: "J") else { return nil }
        return b[end - 2]
    }

    static func lastLineChoice(_ b: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var end = b.count
        while end > 0, isSpace(b[end - 1]) { end -= 1 }
        var start = end
        while start > 0, b[start - 1] != 0x0A { start -= 1 }
        guard end - start <= 16 else { return nil }
        var letter: UInt8? = nil
        for i in start..<end {
            let c = b[i]
            if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "J") {
                if letter != nil { return nil }
                letter = c
            } else if isLetter(c) || isDigit(c) {
                return nil
            } else if !(c == UInt8(ascii: "(") || c == UInt8(ascii: ")") || c == UInt8(ascii: "*") || c == UInt8(ascii: ".") || c == 0x20 || c == UInt8(ascii: ":")) {
                return nil
            }
        }
        return letter
    }

    /// The byte range of the last number (`-1,234.50`, `.5`, `12`) in `b[from..<to]`. Thousands groups
    /// must have exactly three digits; a sentence-ending period is not part of the number.
    static func lastNumber(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Range<Int>? {
        var i = to - 1
        while i >= from {
            if isDigit(b[i]) {
                var end = i + 1
                var start = i
                while start > from {
                    let c = b[start - 1]
                    if isDigit(c) { start -= 1; continue }
                    if c == UInt8(ascii: "."), start - 1 > from, isDigit(b[start - 2]) { start -= 1; continue }
                    if c == UInt8(ascii: "."), start - 1 == from || !isDigit(b[start - 2]) { start -= 1; continue }
                    if c == UInt8(ascii: ","), start - 1 > from, isDigit(b[start - 2]), threeDigitsFollow(b, start, end) { start -= 1; continue }
                    break
                }
                // Trim separators a greedy backwards walk may have left at the front.
                while start < end, b[start] == UInt8(ascii: ",") { start += 1 }
                // A fraction `3/4`: take the numerator too.
                if start >= from + 2, b[start - 1] == UInt8(ascii: "/"), isDigit(b[start - 2]), b[start] != UInt8(ascii: ".") {
                    start -= 1
                    while start > from, isDigit(b[start - 1]) { start -= 1 }
                }
                // A minus sign, unless it is a binary minus or a range dash ("3-5", "x-5").
                if start > from, b[start - 1] == UInt8(ascii: "-"),
                   start - 1 == from || !(isDigit(b[start - 2]) || isLetter(b[start - 2]) || b[start - 2] == UInt8(ascii: ")")) { start -= 1 }
                // Two dots: keep only the part after the first.
                var dots = 0
                for k in start..<end where b[k] == UInt8(ascii: ".") { dots += 1 }
                if dots > 1, let last = (start..<end).last(where: { b[$0] == UInt8(ascii: ".") }) { start = last + 1 }
                while end > start, b[end - 1] == UInt8(ascii: ".") { end -= 1 }
                return start..<end
            }
            i -= 1
        }
        return nil
    }

    private static func threeDigitsFollow(_ b: UnsafeBufferPointer<UInt8>, _ commaPlusOne: Int, _ end: Int) -> Bool {
        // b[commaPlusOne - 1] is the comma; exactly three digits must follow it before a non-digit.
        var k = commaPlusOne, n = 0
        while k < end, isDigit(b[k]) { n += 1; k += 1 }
        return n == 3
    }

    // MARK: - Byte classes

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 97 < 26 }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c &- 65 < 26 ? c | 0x20 : c }

    // MARK: - Marker scanning

    ///
    /// Linear in the text: a marker's content ends at the next line or sentence end, closing `$`, `\)`
    /// or matching brace, and a response repeating a marker (`The answer is The answer is ...`, an
    /// unclosed `\boxed{` many times) would rescan the same tail for every marker. Each such search is
    /// remembered (`StopCache`, `TrailingCache`, `BraceMatcher`) so that every byte is scanned a bounded
    /// number of times whatever the markers.
    struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        var lineEnd = StopCache()
        var sentenceEnd = StopCache()
        var dollarClose = StopCache()
        var parenClose = StopCache()
        var bracketClose = StopCache()
        var hashTrim = TrailingCache()
        var phraseTrim = TrailingCache()
        var spanTrim = TrailingCache()
        var boxTrim = TrailingCache()
        var braces: BraceMatcher? = nil
        var boxedQueries = 0

        init(b: UnsafeBufferPointer<UInt8>) { self.b = b }

        struct Match {
            var rule: AnswerRule
            var start: Int
            /// End of the marker's own phrase; later markers starting before this are part of it.
            var phraseEnd: Int
            var content: Range<Int>
        }

        /// The marker that starts last, skipping markers nested in an earlier marker's phrase.
        mutating func lastMarker() -> Match? {
            var best: Match? = nil
            var i = 0
            let n = b.count
            while i < n {
                let c = b[i]
                var m: Match? = nil
                switch c {
                case UInt8(ascii: "\\"): m = boxed(at: i)
                case UInt8(ascii: "#"): m = hashes(at: i)
                case UInt8(ascii: "F"), UInt8(ascii: "f"): m = finalAnswer(at: i)
                case UInt8(ascii: "T"), UInt8(ascii: "t"): m = theAnswerIs(at: i)
                case UInt8(ascii: "A"), UInt8(ascii: "a"): m = answerColon(at: i)
                default: break
                }
                if let found = m {
                    best = found
                    // Skip the phrase so nested markers ("Answer:" in "Final Answer:") are not seen again.
                    i = max(i + 1, found.phraseEnd)
                } else {
                    i += 1
                }
            }
            return best
        }

        /// Case-insensitive match of an ASCII lowercase `word` at `i`.
        func matches(_ word: StaticString, at i: Int) -> Bool {
            let len = word.utf8CodeUnitCount
            guard i + len <= b.count else { return false }
            let p = word.utf8Start
            for k in 0..<len where AnswerExtractor.lower(b[i + k]) != p[k] { return false }
            return true
        }

        func wordStart(_ i: Int) -> Bool { i == 0 || !AnswerExtractor.isLetter(b[i - 1]) }

        mutating func boxed(at i: Int) -> Match? {
            let nameEnd: Int
            if matches("\\boxed", at: i) { nameEnd = i + 6 } else if matches("\\fbox", at: i) { nameEnd = i + 5 } else { return nil }
            var j = nameEnd
            guard j < b.count else { return nil }
            if b[j] == UInt8(ascii: "{") {
                guard let close = matchingBrace(from: j) else { return nil }
                let r = boxTrim.trim((j + 1)..<close, in: b, strip: [])
                return r.isEmpty ? nil : Match(rule: .boxed, start: i, phraseEnd: j + 1, content: r)
            }
            // `\boxed 5`: one token up to whitespace or `$`.
            guard b[j] == 0x20 else { return nil }
            while j < b.count, b[j] == 0x20 { j += 1 }
            let s = j
            while j < b.count, !AnswerExtractor.isSpace(b[j]), b[j] != UInt8(ascii: "$") { j += 1 }
            return s < j ? Match(rule: .boxed, start: i, phraseEnd: s, content: s..<j) : nil
        }

        /// The `}` closing the `{` at `open` (`\{` and `\}` do not count). The first box is matched by a
        /// direct scan (the usual case: one box); from the second on, one pass matches every box.
        mutating func matchingBrace(from open: Int) -> Int? {
            boxedQueries += 1
            if boxedQueries > 1 {
                if braces == nil { braces = BraceMatcher(b: b, from: open) }
                return braces?.close(of: open)
            }
            var depth = 0, k = open
            while k < b.count {
                let c = b[k]
                if c == UInt8(ascii: "\\") { k += 2; continue }
                if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { return k }
                }
                k += 1
            }
            return nil
        }

        mutating func hashes(at i: Int) -> Match? {
            guard matches("####", at: i), i == 0 || b[i - 1] != UInt8(ascii: "#") else { return nil }
            var j = i + 4
            while j < b.count, b[j] == UInt8(ascii: "#") { j += 1 }
            let e = lineEnd.stop(from: j, in: b) { b, k in b[k] == 0x0A }
            let r = hashTrim.trim(j..<e, in: b, strip: [UInt8(ascii: ".")], trimAfterStrip: false)
            return r.isEmpty ? nil : Match(rule: .gsm8k, start: i, phraseEnd: j, content: r)
        }

        mutating func finalAnswer(at i: Int) -> Match? {
            guard wordStart(i), matches("final answer", at: i) else { return nil }
            var j = i + 12
            while j < b.count, b[j] == UInt8(ascii: "*") || b[j] == 0x20 { j += 1 }
            // `Final answer is B` (no colon).
            if matches("is", at: j), j + 2 < b.count, b[j + 2] == 0x20 || b[j + 2] == UInt8(ascii: ":") {
                j += 2
                guard let r = phraseContent(from: j) else { return nil }
                return Match(rule: .finalAnswer, start: i, phraseEnd: j, content: r)
            }
            guard j < b.count, b[j] == UInt8(ascii: ":") else { return nil }
            j += 1
            while j < b.count, b[j] == UInt8(ascii: "*") || b[j] == 0x20 { j += 1 }
            if matches("the final answer is", at: j) { j += 19 } else if matches("the answer is", at: j) { j += 13 }
            guard let r = phraseContent(from: j) else { return nil }
            return Match(rule: .finalAnswer, start: i, phraseEnd: j, content: r)
        }

        mutating func theAnswerIs(at i: Int) -> Match? {
            guard wordStart(i), matches("the", at: i) else { return nil }
            var j = i + 3
            guard j < b.count, b[j] == 0x20 else { return nil }
            j += 1
            if matches("final ", at: j) { j += 6 }
            guard matches("answer is", at: j) else { return nil }
            j += 9
            guard let r = phraseContent(from: j) else { return nil }
            return Match(rule: .theAnswerIs, start: i, phraseEnd: j, content: r)
        }

        mutating func answerColon(at i: Int) -> Match? {
            guard wordStart(i), matches("answer", at: i) else { return nil }
            var j = i + 6
            while j < b.count, b[j] == 0x20 || b[j] == UInt8(ascii: "*") { j += 1 }
            guard j < b.count, b[j] == UInt8(ascii: ":") else { return nil }
            j += 1
            guard let r = phraseContent(from: j) else { return nil }
            return Match(rule: .answerColon, start: i, phraseEnd: j, content: r)
        }

        /// What follows a phrase marker: a `$...$`, `\(...\)` or `\[...\]` span when one starts there,
        /// else the text up to the end of the line or sentence.
        mutating func phraseContent(from start: Int) -> Range<Int>? {
            var j = start
            while j < b.count, b[j] == 0x20 || b[j] == UInt8(ascii: "*") || b[j] == UInt8(ascii: ":") || b[j] == 0x09 { j += 1 }
            // A display block on the next line ("Answer:\n$$ 5 $$").
            if j < b.count, b[j] == 0x0A {
                var k = j
                while k < b.count, AnswerExtractor.isSpace(b[k]) { k += 1 }
                if k < b.count, b[k] == UInt8(ascii: "$") || (b[k] == UInt8(ascii: "\\") && k + 1 < b.count && (b[k + 1] == UInt8(ascii: "[") || b[k + 1] == UInt8(ascii: "("))) { j = k } else { return nil }
            }
            guard j < b.count else { return nil }
            if b[j] == UInt8(ascii: "$") {
                let dd = j + 1 < b.count && b[j + 1] == UInt8(ascii: "$")
                let open = j + (dd ? 2 : 1)
                // The byte before `open` is `$`, never a backslash, so which `$` are escaped does not depend on
                // where the scan starts and one cached search serves every later marker before that `$`.
                let k = dollarClose.stop(from: open, in: b, skipEscapes: true) { b, k in b[k] == UInt8(ascii: "$") }
                if k < b.count {
                    let r = spanTrim.trim(open..<k, in: b, strip: [])
                    return r.isEmpty ? nil : r
                }
            } else if b[j] == UInt8(ascii: "\\"), j + 1 < b.count, b[j + 1] == UInt8(ascii: "(") || b[j + 1] == UInt8(ascii: "[") {
                let closer = b[j + 1] == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
                let isCloser: (UnsafeBufferPointer<UInt8>, Int) -> Bool = { b, k in
                    k + 1 < b.count && b[k] == UInt8(ascii: "\\") && b[k + 1] == closer
                }
                let k = closer == UInt8(ascii: ")") ? parenClose.stop(from: j + 2, in: b, isCloser) : bracketClose.stop(from: j + 2, in: b, isCloser)
                if k < b.count {
                    let r = spanTrim.trim((j + 2)..<k, in: b, strip: [])
                    return r.isEmpty ? nil : r
                }
            }
            let e = sentenceEnd.stop(from: j, in: b) { b, k in
                b[k] == 0x0A || (b[k] == UInt8(ascii: ".") && (k + 1 == b.count || AnswerExtractor.isSpace(b[k + 1])))
            }
            let r = phraseTrim.trim(j..<e, in: b, strip: [UInt8(ascii: "*"), UInt8(ascii: ".")], trimAfterStrip: true)
            return r.isEmpty ? nil : r
        }

        func trim(_ r: Range<Int>) -> Range<Int> {
            var s = r.lowerBound, e = r.upperBound
            while s < e, AnswerExtractor.isSpace(b[s]) { s += 1 }
            while e > s, AnswerExtractor.isSpace(b[e - 1]) { e -= 1 }
            return s..<e
        }
    }
}

/// The first position at or after a start where a condition holds (or the end), remembered: a later
/// search starting between the remembered start and its stop has the same stop, because nothing in between
/// held. Searches made in increasing order therefore cost one pass over the text in all.
struct StopCache {
    private var from = Int.max
    private var stop = Int.max

    /// With `skipEscapes`, a backslash hides the byte after it (callers start right after a non-backslash,
    /// so the answer does not depend on the start).
    mutating func stop(from start: Int, in b: UnsafeBufferPointer<UInt8>, skipEscapes: Bool = false,
                       _ isStop: (UnsafeBufferPointer<UInt8>, Int) -> Bool) -> Int {
        if start >= from && start <= stop { return stop }
        var k = start
        while k < b.count {
            if skipEscapes && b[k] == UInt8(ascii: "\\") { k += 2; continue }
            if isStop(b, k) { break }
            k += 1
        }
        from = start
        stop = min(k, b.count)
        return stop
    }
}

/// Trims a content range: whitespace on both sides, then trailing `strip` bytes, then (optionally)
/// whitespace again. The backward walk from a given end is remembered, so that many markers sharing one end
/// (a line of repeated markers ending in a long run of dots) walk it once.
struct TrailingCache {
    private var end = -1
    private var cut = 0

    mutating func trim(_ r: Range<Int>, in b: UnsafeBufferPointer<UInt8>, strip: [UInt8], trimAfterStrip: Bool = false) -> Range<Int> {
        var s = r.lowerBound
        while s < r.upperBound, AnswerExtractor.isSpace(b[s]) { s += 1 }
        if end != r.upperBound {
            // Where the trailing walk stops with no lower bound; a range starting past it is empty.
            var e = r.upperBound
            while e > 0, AnswerExtractor.isSpace(b[e - 1]) { e -= 1 }
            if !strip.isEmpty {
                while e > 0, strip.contains(b[e - 1]) { e -= 1 }
                if trimAfterStrip { while e > 0, AnswerExtractor.isSpace(b[e - 1]) { e -= 1 } }
            }
            end = r.upperBound
            cut = e
        }
        return s..<max(s, cut)
    }
}

/// Matches the braces of every `\boxed{` / `\fbox{` from a start in one pass (escaped braces do not
/// count), so that nested or unclosed boxes repeated many times are not each scanned to their end.
struct BraceMatcher {
    private var closes: [Int: Int] = [:]

    init(b: UnsafeBufferPointer<UInt8>, from start: Int) {
        var open: [(position: Int, depth: Int)] = []
        var depth = 0, k = start
        while k < b.count {
            let c = b[k]
            if c == UInt8(ascii: "\\") { k += 2; continue }
            if c == UInt8(ascii: "{") {
                if BraceMatcher.isBoxOpen(b, k) { open.append((k, depth)) }
                depth += 1
            } else if c == UInt8(ascii: "}") {
                depth -= 1
                // Open boxes sit at strictly increasing depths below the current one: only the innermost
                // can close here.
                if let last = open.last, last.depth == depth {
                    closes[last.position] = k
                    open.removeLast()
                }
            }
            k += 1
        }
    }

    /// Whether the `{` at `k` opens a box (`\boxed{` or `\fbox{`, any case, as the scanner matches).
    static func isBoxOpen(_ b: UnsafeBufferPointer<UInt8>, _ k: Int) -> Bool {
        func ends(_ word: StaticString) -> Bool {
            let len = word.utf8CodeUnitCount
            guard k >= len else { return false }
            let p = word.utf8Start
            for m in 0..<len where AnswerExtractor.lower(b[k - len + m]) != p[m] { return false }
            return true
        }
        return ends("\\boxed") || ends("\\fbox")
    }

    func close(of open: Int) -> Int? { closes[open] }
}
