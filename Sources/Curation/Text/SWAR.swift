/// Byte tests on eight bytes at once in a `UInt64` ("SIMD within a register"): the one copy of the
/// word-at-a-time scans the JSON parser, decontam's text reader, the whitespace token counter and the
/// text normaliser run over every record (Swift's SIMD mask types do not compile to vector compares
/// in these loops; plain integer arithmetic does). Each test leaves 0x80 in the bytes it holds for.
///
/// Everything is `@inlinable @inline(__always)` and the constants are literals (not stored globals),
/// so a call in another module's hot loop compiles to the same few instructions as a local copy.
public enum SWAR {
    @inlinable @inline(__always) public static var ones: UInt64 { 0x0101_0101_0101_0101 }
    @inlinable @inline(__always) public static var high: UInt64 { 0x8080_8080_8080_8080 }
    @inlinable @inline(__always) public static var low: UInt64 { 0x7F7F_7F7F_7F7F_7F7F }

    /// The eight bytes at `p` (any alignment), byte k in bits 8k..8k+7.
    @inlinable @inline(__always) public static func load(_ p: UnsafeRawPointer) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
    }

    /// Zero bytes, for "any?" tests: a borrow can flag a byte wrongly only above a byte that truly is
    /// zero, so whether the result is 0 is exact (which bytes are flagged is not).
    @inlinable @inline(__always) public static func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & high }

    /// Zero bytes, exactly (no borrow crosses a byte): for masks that are used byte by byte.
    @inlinable @inline(__always) public static func zeroBytesExact(_ x: UInt64) -> UInt64 { ~(((x & low) &+ low) | x) & high }

    /// Bytes equal to `b`, for "any?" tests (see `zeroBytes`).
    @inlinable @inline(__always) public static func bytes(_ x: UInt64, equalTo b: UInt8) -> UInt64 {
        zeroBytes(x ^ (ones &* UInt64(b)))
    }

    /// Bytes at or above `lo` (1...0x80); exact for bytes below 0x80.
    @inlinable @inline(__always) public static func atLeast(_ x: UInt64, _ lo: UInt64) -> UInt64 { (x &+ (0x80 &- lo) &* ones) & high }
    /// Bytes below `hi` (1...0x80); exact for bytes below 0x80.
    @inlinable @inline(__always) public static func below(_ x: UInt64, _ hi: UInt64) -> UInt64 { ~(x &+ (0x80 &- hi) &* ones) & high }

    /// Whether any byte is `"` or `\`.
    @inlinable @inline(__always) public static func hasQuoteOrBackslash(_ x: UInt64) -> Bool {
        (bytes(x, equalTo: 0x22) | bytes(x, equalTo: 0x5C)) != 0
    }

    /// Whether any byte ends a run of plain JSON string text: `"`, `\`, a control byte (below 0x20) or
    /// a non-ASCII byte (which needs UTF-8 validation).
    @inlinable @inline(__always) public static func hasJSONStringSpecial(_ x: UInt64) -> Bool {
        let control = (x &- ones &* 0x20) & ~x & high
        return (control | bytes(x, equalTo: 0x22) | bytes(x, equalTo: 0x5C) | (x & high)) != 0
    }

    /// The first index from `i` whose word of eight may hold a `"` or `\`: skips whole words of other
    /// bytes and stops where fewer than eight remain before `end` (the caller finishes byte by byte).
    @inlinable @inline(__always)
    public static func skipToQuoteOrBackslash(_ base: UnsafePointer<UInt8>, from i: Int, end: Int) -> Int {
        var j = i
        while j &+ 8 <= end, !hasQuoteOrBackslash(load(base + j)) { j &+= 8 }
        return j
    }

    /// Like `skipToQuoteOrBackslash`, stopping at any byte `hasJSONStringSpecial` flags.
    @inlinable @inline(__always)
    public static func skipToJSONStringSpecial(_ base: UnsafePointer<UInt8>, from i: Int, end: Int) -> Int {
        var j = i
        while j &+ 8 <= end, !hasJSONStringSpecial(load(base + j)) { j &+= 8 }
        return j
    }
}
