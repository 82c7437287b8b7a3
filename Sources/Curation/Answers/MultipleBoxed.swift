/// Several `\boxed{}` in one response or gold: the answer is all of them.
///
/// Models box each part of a multi-part answer (`\boxed{1}` and `\boxed{2}`, `$x=\boxed{3}$ or
/// $x=\boxed{-4}$`), and MATH golds do the same; keeping only the last box graded such answers on one part.
/// The parts are the final run of boxes joined only by punctuation, math delimiters, `and`/`or` and
/// variable names: a box followed by more reasoning (`\boxed{1} no, wait ... \boxed{2}`) was a draft, and
/// the last statement stands, as for other markers. A box inside another box is part of the outer one.
/// Repeats count once (a model that boxes `004` three times answered `004`).
extension AnswerExtractor {
    /// At most this many boxes are kept (a hostile response may box thousands of times).
    static let maxBoxes = 64

    /// The contents of every top-level box, in order. Linear: brace matching is shared across boxes
    /// (`Scanner.matchingBrace`).
    static func boxContents(_ b: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var sc = Scanner(b: b)
        var run: [Range<Int>] = []
        var i = 0, outerEnd = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), let m = sc.boxed(at: i) {
                if i >= outerEnd {
                    // Joined to the run when only a separator lies between the previous box and this one.
                    if run.count >= maxBoxes || !(outerEnd > 0 && isBoxSeparator(b, from: min(outerEnd + 1, i), to: i)) { run.removeAll(keepingCapacity: true) }
                    run.append(m.content)
                    outerEnd = m.content.upperBound
                }
                i = max(i + 1, m.phraseEnd)
                continue
            }
            i += 1
        }
        return run
    }

    /// Whether `b[from..<to]` only joins two boxes: punctuation, delimiters, spaces, `and`/`or`, spacing
    /// commands and one-letter names (`$ or $x=`). Any other word is reasoning between them.
    static func isBoxSeparator(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        guard to - from <= 64 else { return false }
        var k = from
        // Up to two other words when `and` or `or` joins the boxes (`\boxed{1} papers and \boxed{2}`).
        var words = 0, joined = false
        while k < to {
            let c = b[k]
            if isLetter(c) {
                var e = k
                while e < to, isLetter(b[e]) { e += 1 }
                let len = e - k
                let backslash = k > from && b[k - 1] == UInt8(ascii: "\\")
                let word = String(decoding: UnsafeBufferPointer(rebasing: b[k..<e]), as: UTF8.self).lowercased()
                if word == "and" || word == "or" { joined = true } else if !(len == 1 || (backslash && ["quad", "qquad", "text", "mathrm", "hspace"].contains(word))) {
                    words += 1
                }
                k = e
                continue
            }
            // Digits only as subscripts (`y_2 =`).
            if isDigit(c), !(k > from && (b[k - 1] == UInt8(ascii: "_") || isDigit(b[k - 1]))) { return false }
            k += 1
        }
        return words == 0 || (joined && words <= 2)
    }

    /// The distinct box contents as text (first occurrence order); empty when there is no box.
    static func boxTexts(_ b: UnsafeBufferPointer<UInt8>) -> [String] {
        var texts: [String] = []
        for r in boxContents(b) {
            let t = String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
            if !texts.contains(t) { texts.append(t) }
        }
        return texts
    }
}
