/// Counts tokens of a text. Whitespace counting is built in; the Trainer's tokenizers conform too, and
/// the composition root injects one where token budgets must match a model's (DESIGN.md section 2).
public protocol TokenCounter: Sendable {
    var name: String { get }
    func countTokens(_ text: String) -> Int
}

/// Whitespace-separated words: the default unit of token budgets and lengths.
public struct WhitespaceTokenCounter: TokenCounter {
    public init() {}
    public var name: String { "whitespace" }
    public func countTokens(_ text: String) -> Int {
        if let n = text.utf8.withContiguousStorageIfAvailable({ Self.countWords($0) }) { return n }
        var copy = text
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { Self.countWords($0) } ?? 0
    }

    /// Words are maximal runs of bytes other than ASCII space, \t, \n, \v, \f, \r; a word starts at
    /// every non-space byte whose predecessor is a space (or the start). Eight bytes at a time: a
    /// per-byte "is space" bit in each byte's high bit (exact SWAR compares), shifted by one byte to
    /// pair each byte with its predecessor, and a popcount. This runs over every record's text in
    /// `mix` and `stats`, where the byte-at-a-time loop was a tenth of the CPU time.
    static func countWords(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        guard let p = b.baseAddress else { return 0 }
        var n = 0
        var prevSpace: UInt64 = 0x80 // the byte before the text counts as a space
        var k = 0
        while k &+ 8 <= b.count {
            let x = SWAR.load(p + k)
            let ascii = x & SWAR.low // exact byte tests below; non-ASCII bytes are masked out at the end
            let controlSpace = SWAR.atLeast(ascii, 9) & SWAR.below(ascii, 14) // \t \n \v \f \r
            let blank = SWAR.zeroBytesExact(x ^ (SWAR.ones &* 0x20))
            let space = (controlSpace | blank) & ~(x & SWAR.high)
            n &+= (~space & SWAR.high & ((space << 8) | prevSpace)).nonzeroBitCount
            prevSpace = space >> 56
            k &+= 8
        }
        var prev = prevSpace != 0
        while k < b.count {
            let c = p[k]
            let s = c == 0x20 || c &- 0x09 < 5
            if !s && prev { n &+= 1 }
            prev = s
            k &+= 1
        }
        return n
    }
}
