/// Normalised tokens of a text, laid out as one byte string with single spaces between tokens, plus
/// where each token starts. Because the separator is one space, tokens `i ..< i + k` joined by spaces
/// are the contiguous bytes `start(i) ..< end(i + k - 1)`: an n-gram can be hashed in place, with no
/// copy (decontamination's hot loop). Also records where each token came from in the source bytes,
/// so a match can be mapped back to a span of the original text (masking).
///
/// A buffer is reused across texts (`removeAll()` keeps its memory); it is not thread-safe: use one per
/// thread.
public final class TokenBuffer {
    /// The normalised bytes (tokens joined by single spaces).
    public private(set) var bytes: UnsafeMutablePointer<UInt8>
    /// Number of valid bytes in `bytes`.
    public internal(set) var count = 0
    /// Start of each token in `bytes`.
    public private(set) var starts: UnsafeMutablePointer<Int32>
    /// Start and end (exclusive) of each token in the source bytes of the last `append` call that
    /// produced it, offset by `sourceBase` at that time.
    public private(set) var sourceStarts: UnsafeMutablePointer<Int32>
    public private(set) var sourceEnds: UnsafeMutablePointer<Int32>
    public internal(set) var tokenCount = 0
    private var byteCapacity: Int
    private var tokenCapacity: Int

    public init(capacity: Int = 4096) {
        byteCapacity = max(64, capacity)
        tokenCapacity = max(16, capacity / 2)
        bytes = .allocate(capacity: byteCapacity)
        starts = .allocate(capacity: tokenCapacity)
        sourceStarts = .allocate(capacity: tokenCapacity)
        sourceEnds = .allocate(capacity: tokenCapacity)
    }

    deinit {
        bytes.deallocate(); starts.deallocate(); sourceStarts.deallocate(); sourceEnds.deallocate()
    }

    /// Forgets the content, keeping the memory.
    public func removeAll() { count = 0; tokenCount = 0 }

    /// Start of token `i` in `bytes`.
    @inline(__always) public func start(_ i: Int) -> Int { Int(starts[i]) }
    /// End (exclusive) of token `i` in `bytes`.
    @inline(__always) public func end(_ i: Int) -> Int { i + 1 < tokenCount ? Int(starts[i + 1]) - 1 : count }

    /// The bytes of tokens `first ..< first + k` joined by single spaces.
    @inline(__always) public func span(_ first: Int, _ k: Int) -> UnsafeRawBufferPointer {
        let s = start(first)
        return UnsafeRawBufferPointer(start: bytes + s, count: end(first + k - 1) - s)
    }

    /// Token `i`'s bytes.
    @inline(__always) public func token(_ i: Int) -> UnsafeRawBufferPointer { span(i, 1) }

    /// All bytes (the normalised text).
    public var text: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: bytes, count: count) }

    /// Makes room for `moreBytes` bytes (plus 8 bytes of slack for word-wide stores) and `moreTokens` tokens.
    @inline(__always) func reserve(moreBytes: Int, moreTokens: Int) {
        if count + moreBytes + 16 > byteCapacity { growBytes(count + moreBytes + 16) }
        if tokenCount + moreTokens + 1 > tokenCapacity { growTokens(tokenCount + moreTokens + 1) }
    }

    @inline(never) func growBytes(_ need: Int) {
        var c = byteCapacity
        while c < need { c *= 2 }
        let n = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        n.update(from: bytes, count: count)
        bytes.deallocate()
        bytes = n
        byteCapacity = c
    }

    @inline(never) func growTokens(_ need: Int) {
        var c = tokenCapacity
        while c < need { c *= 2 }
        func grow(_ p: inout UnsafeMutablePointer<Int32>) {
            let n = UnsafeMutablePointer<Int32>.allocate(capacity: c)
            n.update(from: p, count: tokenCount)
            p.deallocate()
            p = n
        }
        grow(&starts); grow(&sourceStarts); grow(&sourceEnds)
        tokenCapacity = c
    }
}
