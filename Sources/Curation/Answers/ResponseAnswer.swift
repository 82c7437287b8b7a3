/// Where the answer is when a response has no explicit marker, or a marker is followed by a sentence.
///
/// The old fallback took the last number anywhere, which read `1 000` as `000`, `AZYUK2A` as `2`, and a
/// number inside broken inline math as the answer. Now: the last complete math span wins (inline spans
/// end at a line break, as in LaTeX; `\$` inside math is a dollar sign, not a delimiter); a response with
/// math delimiters but no complete span has no answer; only plain prose falls back to the last number,
/// and then only to a number standing alone (not inside a word), with space-grouped thousands kept.
extension AnswerExtractor {
    /// The byte range of the content of the last complete math span, in one left-to-right pass.
    static func lastMathSpan(_ b: UnsafeBufferPointer<UInt8>) -> (content: Range<Int>, sawDelimiter: Bool)? {
        guard let r = mathSpans(b) else { return nil }
        return (r.run.last ?? 0..<0, r.sawDelimiter)
    }

    /// Whether `b[from..<to]` only joins two math spans into one answer (`$1$ and $2$`, `$3$, $5$ or $7$`).
    static func isSpanSeparator(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        guard from <= to, to - from <= 16 else { return false }
        var k = from
        while k < to {
            let c = b[k]
            if isLetter(c) {
                var e = k
                while e < to, isLetter(b[e]) { e += 1 }
                let w = String(decoding: UnsafeBufferPointer(rebasing: b[k..<e]), as: UTF8.self)
                guard w == "and" || w == "or" else { return false }
                k = e
                continue
            }
            guard c == 0x20 || c == UInt8(ascii: ",") else { return false }
            k += 1
        }
        return true
    }

    /// The contents of the final run of complete math spans joined only by `,`, `and`, `or` (usually one
    /// span), and whether any math delimiter was seen. Nil when there is no delimiter at all.
    static func mathSpans(_ b: UnsafeBufferPointer<UInt8>) -> (run: [Range<Int>], sawDelimiter: Bool)? {
        var run: [Range<Int>] = []
        var lastEnd = -1
        var saw = false
        func close(_ r: Range<Int>, start: Int, end: Int) {
            if lastEnd >= 0, run.count < 16, isSpanSeparator(b, from: lastEnd, to: start) { run.append(r) } else { run = [r] }
            lastEnd = end
        }
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "\\"), i + 1 < n {
                let d = b[i + 1]
                if d == UInt8(ascii: "(") || d == UInt8(ascii: "[") {
                    saw = true
                    let closer = d == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
                    var k = i + 2
                    var closed = false
                    while k + 1 < n {
                        if b[k] == UInt8(ascii: "\\") && b[k + 1] == closer { closed = true; break }
                        // Inline math does not cross a line; display math may.
                        if d == UInt8(ascii: "(") && b[k] == 0x0A { break }
                        k += b[k] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    if closed { close((i + 2)..<k, start: i, end: k + 2); i = k + 2 } else { i = max(k, i + 2) }
                    continue
                }
                i += 2  // `\$` and other escapes
                continue
            }
            if c == UInt8(ascii: "$") {
                saw = true
                let display = i + 1 < n && b[i + 1] == UInt8(ascii: "$")
                let open = i + (display ? 2 : 1)
                var k = open
                var closed = false
                while k < n {
                    if b[k] == UInt8(ascii: "\\") { k += 2; continue }
                    if b[k] == UInt8(ascii: "$") { closed = !display || (k + 1 < n && b[k + 1] == UInt8(ascii: "$")); break }
                    if !display && b[k] == 0x0A { break }
                    k += 1
                }
                if closed {
                    close(open..<k, start: i, end: k + (display ? 2 : 1))
                    i = k + (display ? 2 : 1)
                } else {
                    // An unclosed or broken span: skip its opener only, so a later span can still close.
                    i = open
                }
                continue
            }
            i += 1
        }
        guard !run.isEmpty else { return saw ? ([], true) : nil }
        return (run, saw)
    }

    /// The last number standing alone in `b[from..<to]`: not touching a letter (`AZYUK2A` has none), with
    /// thousands grouped by commas or single spaces (`1 000`).
    static func lastStandaloneNumber(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Range<Int>? {
        var end = to
        while end > from {
            guard let r = lastNumber(b, from: from, to: end) else { return nil }
            let before = r.lowerBound > from ? b[r.lowerBound - 1] : 0x20
            let after = r.upperBound < to ? b[r.upperBound] : 0x20
            if isLetter(before) || (isLetter(after) && !unitFollows(b, r.upperBound, to)) || before == UInt8(ascii: "_") || before == UInt8(ascii: "^") {
                end = r.lowerBound
                continue
            }
            // `1 000 000`: groups of three digits after single spaces belong to the number. Walked back one
            // group at a time (each byte once): a full group continues, a shorter one is the leading group.
            var start = r.lowerBound
            let plainGroup = r.count == 3 && b[r.lowerBound..<r.upperBound].allSatisfy(isDigit)
            while plainGroup, start - 2 >= from, b[start - 1] == 0x20, isDigit(b[start - 2]) {
                var k = start - 2, digits = 0
                while k >= from, isDigit(b[k]), digits <= 3 { digits += 1; k -= 1 }
                guard digits <= 3, k < from || !(isLetter(b[k]) || b[k] == UInt8(ascii: ".") || b[k] == UInt8(ascii: ",")) else { break }
                start = k + 1
                if digits < 3 { break }
            }
            return start..<r.upperBound
        }
        return nil
    }

    /// Whether the letters at `k` spell a unit (`1,000.99m²`, `5kg`): a number may touch its unit.
    static func unitFollows(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, _ to: Int) -> Bool {
        var e = k
        while e < to, isLetter(b[e]), e - k <= 8 { e += 1 }
        let w = String(decoding: UnsafeBufferPointer(rebasing: b[k..<e]), as: UTF8.self).lowercased()
        return AnswerNormalizer.isKnownUnit(w)
    }

    /// A marker's content that is a sentence (`The largest $n$ is 34`): the value it ends with (a number
    /// after the last math span, else that span). Nil when the content is not a sentence.
    static func sentenceValue(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Range<Int>? {
        // A sentence has words of three or more letters outside math, commands and braces.
        var i = r.lowerBound, inMath = false, run = 0, words = 0, depth = 0
        while i < r.upperBound {
            let c = b[i]
            if c == UInt8(ascii: "\\") { i += 1; while i < r.upperBound, isLetter(b[i]) { i += 1 }; run = 0; continue }
            if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") { depth -= 1 }
            if c == UInt8(ascii: "$") { inMath.toggle(); run = 0 } else if !inMath && depth == 0 && isLetter(c) { run += 1; if run == 3 { words += 1 } } else { run = 0 }
            i += 1
        }
        guard words >= 2 else { return nil }
        let sub = UnsafeBufferPointer(rebasing: b[r])
        let span = lastMathSpan(sub)
        let afterSpan = span.map { $0.content.upperBound + 1 } ?? 0
        if let num = lastStandaloneNumber(sub, from: min(afterSpan, sub.count), to: sub.count) {
            return (num.lowerBound + r.lowerBound)..<(num.upperBound + r.lowerBound)
        }
        if let s = span, !s.content.isEmpty { return (s.content.lowerBound + r.lowerBound)..<(s.content.upperBound + r.lowerBound) }
        return nil
    }

    /// The final answer of any text that may be a whole response (both sides of a math-verify-style
    /// comparison): a marker's content (every box when boxed), else the last math span, else the text
    /// itself when it is short, else the last number standing alone. Nil when there is none (delimiters
    /// with no complete span, a word with a digit in it).
    public static func finalAnswer(in text: String) -> ExtractedAnswer? {
        var s = text
        return s.withUTF8 { b -> ExtractedAnswer? in
            if let found = extract(bytes: b, dataset: .math), found.rule != .lastNumber { return found }
            if lastMathSpan(b) != nil { return nil }
            // No marker, no span: plain text.
            let trimmed = text.trimmingWhitespace()
            if trimmed.isEmpty { return nil }
            // `A. Because ...`, `(B) since ...`: a choice letter leading an explanation.
            if let c = ParsedAnswer.choice(Array(trimmed.utf8)) { return ExtractedAnswer(text: String(UnicodeScalar(c)), rule: .choice) }
            if !looksLikeProse(b) { return ExtractedAnswer(text: trimmed, rule: .lastMath) }
            // Prose without a number (`no real solutions`): the words are the answer, compared as text;
            // a digit glued into a word (`AZYUK2A`) is no answer at all.
            guard let r = lastStandaloneNumber(b, from: 0, to: b.count) else {
                return hasDigit(b) ? nil : ExtractedAnswer(text: trimmed, rule: .lastMath)
            }
            return ExtractedAnswer(text: String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self), rule: .lastNumber)
        }
    }

    static func hasDigit(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in b where isDigit(c) { return true }
        return false
    }

    /// Whether plain text reads as a sentence (three or more words of letters, or a letter run glued to a
    /// digit like `AZYUK2A`) rather than an answer (`x^2+1`, `18 dollars`, `\text{Evelyn}`).
    static func looksLikeProse(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var words = 0, run = 0, glued = false
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\\") { i += 1; while i < b.count, isLetter(b[i]) { i += 1 }; run = 0; continue }
            if isLetter(c) {
                run += 1
                if run == 2 { words += 1 }
            } else {
                if run >= 2 && isDigit(c) { glued = true }
                run = 0
            }
            if isDigit(c), i + 1 < b.count, isLetter(b[i + 1]), i + 2 < b.count, isLetter(b[i + 2]), i > 0, isLetter(b[i - 1]) { glued = true }
            i += 1
        }
        return words >= 3 || glued
    }
}
