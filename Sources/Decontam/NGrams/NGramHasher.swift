import CXXHash
import Curation

/// N-gram hashing over a `TokenBuffer`: tokens `i ..< i + k` joined by single spaces are contiguous
/// bytes there, so each n-gram is one XXH3-64 call over bytes already in place.
public enum NGramHasher {
    /// The hash of tokens `first ..< first + k` of `buffer`.
    @inline(__always)
    public static func hash(_ buffer: TokenBuffer, _ first: Int, _ k: Int) -> UInt64 {
        let s = Int(buffer.starts[first])
        let e = first + k < buffer.tokenCount ? Int(buffer.starts[first + k]) - 1 : buffer.count
        return XXH3_64bits(buffer.bytes + s, e - s)
    }

    /// The hash of a token sequence given as strings (tests, tools): XXH3-64 of the tokens joined by spaces.
    public static func hash(tokens: [String]) -> UInt64 { XXH3.hash64(tokens.joined(separator: " ")) }

    /// The n-grams of an eval instance: its distinct n-gram hashes (sorted), or, when it has fewer than
    /// n tokens (but at least one), the single hash of its whole token sequence; with its token count.
    public static func evalNGrams(_ buffer: TokenBuffer, n: Int) -> (hashes: [UInt64], length: Int) {
        let t = buffer.tokenCount
        if t == 0 { return ([], 0) }
        if t < n { return ([hash(buffer, 0, t)], t) }
        var hashes = [UInt64]()
        hashes.reserveCapacity(t - n + 1)
        for i in 0...(t - n) { hashes.append(hash(buffer, i, n)) }
        hashes.sort()
        var w = 0
        for r in 0..<hashes.count where r == 0 || hashes[r] != hashes[w - 1] {
            hashes[w] = hashes[r]; w += 1
        }
        hashes.removeLast(hashes.count - w)
        return (hashes, n)
    }
}
