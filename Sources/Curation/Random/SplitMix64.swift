/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast generator whose output sequence is fixed by its
/// seed forever. The standard library's generators and `Int.random(in:using:)` do not promise a stable
/// algorithm across releases, so every sampling decision that must be reproducible from a seed goes
/// through this type and its own bounded-integer and shuffle methods.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one stream of a seeded run, e.g. `(seed, hash of record id)`, so that a draw does
    /// not depend on what else is sampled in the same run.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C909)
        state = mixer.next() ^ Self.mix(stream &+ 0x9E37_79B9_7F4A_7C15)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer below `bound` (> 0), unbiased (Lemire's multiply-and-reject).
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// A uniform integer in a closed range.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
        if span == 0 { return Int(bitPattern: UInt(next())) }  // the full 64-bit range
        return range.lowerBound &+ Int(bitPattern: UInt(below(span)))
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func unitDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniformly chosen element, or nil for an empty collection.
    public mutating func pick<C: Collection>(_ items: C) -> C.Element? where C.Index == Int {
        guard !items.isEmpty else { return nil }
        return items[items.startIndex + Int(below(UInt64(items.count)))]
    }

    /// Fisher-Yates shuffle with this generator's own bounded draws (stable across Swift releases).
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = Int(below(UInt64(i + 1)))
            if i != j { items.swapAt(i, j) }
        }
    }
}
