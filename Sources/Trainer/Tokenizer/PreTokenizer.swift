/// How text is cut into words before BPE runs on each word.
public enum PreTokenizerKind: String, Sendable, CaseIterable {
    /// GPT-2's regex: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    case gpt2
    /// Every number character split off on its own first (`Digits` with `individual_digits`), then the
    /// GPT-2 regex on the pieces: SmolLM2's tokenizer (its GGUF names this pre-tokenizer "smollm").
    case smollm

    /// The kind a GGUF file's `tokenizer.ggml.pre` names, if it is one of ours.
    public init?(ggufName: String) {
        switch ggufName {
        case "gpt2", "gpt-2": self = .gpt2
        case "smollm": self = .smollm
        default: return nil
        }
    }
}

/// The GPT-2 pre-tokenizer regex, evaluated by hand over UTF-8 bytes.
///
/// Why by hand: it is the first step of every encode, and a general regex engine is several times
/// slower than a loop over a byte class table. The loop reproduces the regex's alternation order,
/// including `\s+(?!\S)`, which leaves the last white-space character of a run to start the next word.
@usableFromInline struct PreTokenizer: @unchecked Sendable {  // holds a pointer to an immutable table
    @usableFromInline let kind: PreTokenizerKind
    /// The character class table (see `CharClass.table`), held here so the loop reads it directly.
    @usableFromInline let table: UnsafePointer<UInt8>

    @usableFromInline init(kind: PreTokenizerKind) { self.kind = kind; self.table = CharClass.table }

    /// Calls `body(start, end)` for each word of `p[start..<end]`, in order; words tile the range.
    @inline(__always) @usableFromInline
    func split(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ body: (Int, Int) -> Void) {
        switch kind {
        case .gpt2:
            PreTokenizer.gpt2(p, start, end, table, body)
        case .smollm:
            var pieceStart = start
            var i = start
            while i < end {
                let (c, l) = classify(p, i, end, table)
                if c == CharClass.number {
                    if pieceStart < i { PreTokenizer.gpt2(p, pieceStart, i, table, body) }
                    body(i, i + l)
                    pieceStart = i + l
                }
                i += l
            }
            if pieceStart < end { PreTokenizer.gpt2(p, pieceStart, end, table, body) }
        }
    }

    @inline(__always) @usableFromInline
    static func gpt2(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ table: UnsafePointer<UInt8>, _ body: (Int, Int) -> Void) {
        var i = start
        while i < end {
            let b = p[i]
            // Contractions come first in the alternation: 's 't 'm 'd 're 've 'll (lower case only).
            if b == 0x27 && i + 1 < end {
                let c = p[i + 1]
                if c == 0x73 || c == 0x74 || c == 0x6D || c == 0x64 {
                    body(i, i + 2); i += 2; continue
                }
                if i + 2 < end {
                    let d = p[i + 2]
                    if (c == 0x72 && d == 0x65) || (c == 0x76 && d == 0x65) || (c == 0x6C && d == 0x6C) {
                        body(i, i + 3); i += 3; continue
                    }
                }
            }
            var (cls, len) = classify(p, i, end, table)
            // ` ?X+`: an ASCII space joins the letter, number or symbol run that follows it.
            if b == 0x20 && i + 1 < end {
                let (c2, l2) = classify(p, i + 1, end, table)
                if c2 != CharClass.space { cls = c2; len = 1 + l2 }
            }
            var j = i + len
            if cls != CharClass.space {
                // ASCII run first (the common case), then the general loop for what follows.
                while j < end, p[j] < 0x80, table[Int(p[j])] == cls { j += 1 }
                while j < end {
                    let (c, l) = classify(p, j, end, table)
                    if c != cls { break }
                    j += l
                }
                body(i, j); i = j
                continue
            }
            // White space: `\s+(?!\S)` takes the run but its last character when a non-space follows
            // (that character then prefixes the next word, or stands alone); `\s+` takes a lone one.
            var lastStart = i
            while j < end {
                let (c, l) = classify(p, j, end, table)
                if c != CharClass.space { break }
                lastStart = j
                j += l
            }
            if j == end || lastStart == i {
                body(i, j); i = j
            } else {
                body(i, lastStart); i = lastStart
            }
        }
    }
}
