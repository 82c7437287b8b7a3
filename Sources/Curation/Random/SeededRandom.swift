/// A small, fast, seedable random number generator: xoshiro256** (Blackman and Vigna) with its state
/// filled by SplitMix64 from a 64-bit seed, as its authors recommend.
///
/// Swift's `SystemRandomNumberGenerator` cannot be seeded, and the standard library's algorithms that
/// take a generator (`randomElement(using:)`, `shuffled(using:)`) do not promise the same sequence of
/// draws across Swift versions. Stages that must give the same output for the same seed therefore draw
/// through the explicit helpers here (`next()`, `uniform(below:)`, `unitDouble()`), whose results are
/// fixed by this file alone.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        s0 = SeededRandom.splitMix64(&sm)
        s1 = SeededRandom.splitMix64(&sm)
        s2 = SeededRandom.splitMix64(&sm)
        s3 = SeededRandom.splitMix64(&sm)
        // xoshiro must not start from the all-zero state; SplitMix64 cannot produce four zeros in a row,
        // but guard anyway so the invariant does not rest on that fact.
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// A generator for one named stream under a run seed (e.g. "select/diversity"), so two uses of the
    /// same run seed do not share draws.
    public init(seed: UInt64, stream: String) {
        self.init(seed: XXH3.hash64(stream, seed: seed))
    }

    /// One SplitMix64 step: advances `state` and returns a well-mixed 64-bit value. Also a good
    /// stand-alone mixer for deriving keys from (seed, value) pairs.
    @inline(__always)
    public static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject method: unbiased).
    /// `bound` must be positive; 0 is returned for a non-positive bound rather than trapping.
    public mutating func uniform(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func unitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
