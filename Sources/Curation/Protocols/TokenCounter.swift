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
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F, high: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
        var n = 0
        var prevSpace: UInt64 = 0x80 // the byte before the text counts as a space
        var k = 0
        while k &+ 8 <= b.count {
            let x = UInt64(littleEndian: UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self))
            let x7 = (x & low) | high // no borrow can cross a byte below
            let atLeast9 = (x7 &- ones &* 9) & high
            let atLeast14 = (x7 &- ones &* 14) & high
            let y = x ^ (ones &* 0x20)
            let isBlank = ~(((y & low) &+ low) | y) & high
            let space = ((atLeast9 & ~atLeast14) | isBlank) & ~(x & high)
            n &+= (~space & high & ((space << 8) | prevSpace)).nonzeroBitCount
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
