/// Several `\boxed{}` in one response or gold: the answer is all of them.
///
/// Models box each part of a multi-part answer (`\boxed{1}` and `\boxed{2}`), and MATH golds do the same;
/// keeping only the last box graded such answers on one part. A box inside another box is part of the
/// outer one. Repeats count once (a model that boxes `004` three times answered `004`).
extension AnswerExtractor {
    /// At most this many boxes are kept (a hostile response may box thousands of times).
    static let maxBoxes = 64

    /// The contents of every top-level box, in order. Linear: brace matching is shared across boxes
    /// (`Scanner.matchingBrace`).
    static func boxContents(_ b: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var sc = Scanner(b: b)
        var out: [Range<Int>] = []
        var i = 0, outerEnd = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), let m = sc.boxed(at: i) {
                if i >= outerEnd {
                    out.append(m.content)
                    outerEnd = m.content.upperBound
                    if out.count >= maxBoxes { break }
                }
                i = max(i + 1, m.phraseEnd)
                continue
            }
            i += 1
        }
        return out
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
