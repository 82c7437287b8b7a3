/// A token matched verbatim in the text before pre-tokenization (`added_tokens` of `tokenizer.json`):
/// special tokens such as `<|im_start|>`, and user-defined ones.
public struct AddedToken: Sendable, Hashable {
    public var id: Int32
    public var content: String
    /// Special tokens can be skipped when decoding; they are control tokens of the model.
    public var special: Bool
    /// Match only as a whole word (not inside a longer run of letters or digits).
    public var singleWord: Bool
    /// The match also takes the white space on its left / right.
    public var lstrip: Bool
    public var rstrip: Bool
    public var normalized: Bool

    public init(id: Int32, content: String, special: Bool = true, singleWord: Bool = false,
                lstrip: Bool = false, rstrip: Bool = false, normalized: Bool = false) {
        self.id = id; self.content = content; self.special = special; self.singleWord = singleWord
        self.lstrip = lstrip; self.rstrip = rstrip; self.normalized = normalized
    }
}

/// Finds added tokens in text, leftmost first and longest at a position (as the reference's
/// Aho-Corasick with leftmost-longest matching does).
///
/// Why not a trie: vocabularies have a handful to a few hundred added tokens that mostly start with
/// `<`; a table of first bytes skips almost every position, and the few candidates are compared directly.
@usableFromInline struct AddedTokenMatcher: Sendable {
    @usableFromInline let tokens: [AddedToken]
    @usableFromInline let contents: [[UInt8]]
    @usableFromInline let firstByte: [Bool]
    /// Per first byte: token indexes, longest content first.
    @usableFromInline let candidates: [[Int]]

    init(_ tokens: [AddedToken]) {
        let usable = tokens.filter { !$0.content.isEmpty }
        self.tokens = usable
        contents = usable.map { Array($0.content.utf8) }
        var first = [Bool](repeating: false, count: 256)
        var cands = [[Int]](repeating: [], count: 256)
        for (i, c) in contents.enumerated() {
            first[Int(c[0])] = true
            cands[Int(c[0])].append(i)
        }
        let lengths = contents.map(\.count)
        for b in 0..<256 { cands[b].sort { (lengths[$0], $1) > (lengths[$1], $0) } }
        firstByte = first
        candidates = cands
    }

    @usableFromInline var isEmpty: Bool { tokens.isEmpty }

    /// The next match in `p[from..<end]`: the bytes it covers (with stripped white space) and the token.
    @usableFromInline
    func next(_ p: UnsafePointer<UInt8>, from: Int, end: Int) -> (start: Int, end: Int, token: Int)? {
        var i = from
        while i < end {
            let b = p[i]
            if firstByte[Int(b)] {
                for t in candidates[Int(b)] {
                    let c = contents[t]
                    guard i + c.count <= end else { continue }
                    var same = true
                    for k in 0..<c.count where p[i + k] != c[k] { same = false; break }
                    guard same else { continue }
                    let tok = tokens[t]
                    if tok.singleWord && (isWordByteBefore(p, i, lowerBound: from) || isWordByteAt(p, i + c.count, end)) { continue }
                    var s = i, e = i + c.count
                    if tok.lstrip { while s > from, isSpaceByte(p[s - 1]) { s -= 1 } }
                    if tok.rstrip { while e < end, isSpaceByte(p[e]) { e += 1 } }
                    return (s, e, t)
                }
            }
            i += 1
        }
        return nil
    }

    @inline(__always) private func isSpaceByte(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D)
    }
    /// Whether the character ending just before `i` is a letter or number (UTF-8 aware).
    private func isWordByteBefore(_ p: UnsafePointer<UInt8>, _ i: Int, lowerBound: Int) -> Bool {
        guard i > lowerBound else { return false }
        var s = i - 1
        while s > lowerBound && (p[s] & 0xC0) == 0x80 { s -= 1 }
        let c = classify(p, s, i).cls
        return c == CharClass.letter || c == CharClass.number
    }
    private func isWordByteAt(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        guard i < end else { return false }
        let c = classify(p, i, end).cls
        return c == CharClass.letter || c == CharClass.number
    }
}
