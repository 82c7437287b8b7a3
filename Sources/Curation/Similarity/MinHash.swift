/// Settings of MinHash near-duplicate detection (DESIGN.md section 5: s1 selection and persona dedupe).
public struct MinHashOptions: Sendable, Hashable {
    /// Words per shingle (word n-grams of `TextNormalizer` tokens). Texts shorter than this give one
    /// shingle holding all their words.
    public var shingleSize: Int
    /// Number of hash functions in a signature.
    public var permutations: Int
    /// Two texts are near-duplicates when the Jaccard similarity of their shingle sets is at least this.
    public var threshold: Double
    /// Seeds the hash functions. Changing it changes which candidate pairs LSH finds, never the verdict
    /// on a pair it found (verdicts use the exact Jaccard similarity).
    public var seed: UInt64
    /// LSH bands x rows per band; nil picks them for `threshold` (see `LSHBanding.optimal`).
    public var banding: LSHBanding?
    /// How text becomes words.
    public var normalizer: TextNormalizer

    public init(shingleSize: Int = 3, permutations: Int = 128, threshold: Double = 0.8, seed: UInt64 = 0x5EED_0001,
                banding: LSHBanding? = nil, normalizer: TextNormalizer = TextNormalizer()) {
        self.shingleSize = shingleSize
        self.permutations = permutations
        self.threshold = threshold
        self.seed = seed
        self.banding = banding
        self.normalizer = normalizer
    }

    /// Throws `CurationError.invalidArgument` for settings that cannot work.
    public func validate() throws {
        guard shingleSize >= 1 else { throw CurationError.invalidArgument("MinHash shingle size must be at least 1, got \(shingleSize)") }
        guard permutations >= 2 else { throw CurationError.invalidArgument("MinHash needs at least 2 permutations, got \(permutations)") }
        guard threshold > 0, threshold <= 1 else {
            throw CurationError.invalidArgument("Jaccard threshold must be in (0, 1], got \(threshold)")
        }
        if let b = banding {
            guard b.bands >= 1, b.rows >= 1, b.bands * b.rows <= permutations else {
                throw CurationError.invalidArgument("LSH banding \(b.bands)x\(b.rows) needs at most \(permutations) permutations")
            }
        }
    }

    /// The banding in effect.
    public var effectiveBanding: LSHBanding { banding ?? LSHBanding.optimal(threshold: threshold, permutations: permutations) }
}

/// The shingle set and MinHash signature of one text.
public struct MinHashSketch: Sendable {
    /// Hashes of the text's word n-grams, sorted and unique: the exact set Jaccard is computed on.
    public var shingles: [UInt64]
    /// Minimum of each hash function over the shingles.
    public var signature: [UInt64]

    /// Exact Jaccard similarity of two shingle sets (both empty counts as identical).
    public func jaccard(_ other: MinHashSketch) -> Double {
        MinHashSketch.jaccard(shingles, other.shingles)
    }

    /// Jaccard similarity of two sorted, unique hash arrays, by one merge.
    public static func jaccard(_ a: [UInt64], _ b: [UInt64]) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        var i = 0, j = 0, common = 0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                while i < pa.count && j < pb.count {
                    let x = pa[i], y = pb[j]
                    if x == y { common += 1; i += 1; j += 1 } else if x < y { i += 1 } else { j += 1 }
                }
            }
        }
        return Double(common) / Double(a.count + b.count - common)
    }

    /// The share of signature positions that agree: an unbiased estimate of the Jaccard similarity.
    public func estimatedJaccard(_ other: MinHashSketch) -> Double {
        let n = min(signature.count, other.signature.count)
        guard n > 0 else { return 0 }
        var same = 0
        for k in 0..<n where signature[k] == other.signature[k] { same += 1 }
        return Double(same) / Double(n)
    }
}

/// Computes shingle sets and MinHash signatures. Pure and thread-safe: the same text and options give
/// the same sketch on any machine (XXH3 token hashes, fixed mixing functions, no randomness).
public struct MinHasher: Sendable {
    public let options: MinHashOptions
    /// Per-permutation salts, derived from the seed by SplitMix64.
    private let salts: [UInt64]

    public init(options: MinHashOptions = MinHashOptions()) {
        self.options = options
        var state = options.seed
        salts = (0..<max(1, options.permutations)).map { _ in SeededRandom.splitMix64(&state) }
    }

    /// The sorted, unique hashes of the text's word n-grams.
    public func shingles(_ text: String) -> [UInt64] {
        let n = max(1, options.shingleSize)
        let seed = options.seed
        var words: [UInt64] = []
        words.reserveCapacity(64)
        options.normalizer.forEachToken(text) { words.append(XXH3.hash64($0, seed: seed)) }
        if words.isEmpty { return [] }
        var out: [UInt64] = []
        let count = words.count >= n ? words.count - n + 1 : 1
        let width = min(n, words.count)
        out.reserveCapacity(count)
        words.withUnsafeBufferPointer { w in
            for start in 0..<count {
                // Order-sensitive combination of the window's word hashes.
                var h: UInt64 = 0x243F_6A88_85A3_08D3 &+ UInt64(width)
                for k in start..<(start + width) {
                    h = MinHasher.mix(h ^ w[k]) &+ 0x9E37_79B9_7F4A_7C15
                }
                out.append(h)
            }
        }
        out.sort()
        // Unique in place.
        var u = 0
        for k in 0..<out.count where k == 0 || out[k] != out[u - 1] {
            out[u] = out[k]; u += 1
        }
        out.removeLast(out.count - u)
        return out
    }

    /// The signature of a shingle set: for each hash function, the minimum over the shingles.
    /// An empty set gives all-ones (it can only collide with other empty texts).
    public func signature(_ shingles: [UInt64]) -> [UInt64] {
        var sig = [UInt64](repeating: .max, count: salts.count)
        sig.withUnsafeMutableBufferPointer { s in
            salts.withUnsafeBufferPointer { salt in
                shingles.withUnsafeBufferPointer { sh in
                    for x in sh {
                        for k in 0..<salt.count {
                            let v = MinHasher.mix(x ^ salt[k])
                            if v < s[k] { s[k] = v }
                        }
                    }
                }
            }
        }
        return sig
    }

    public func sketch(_ text: String) -> MinHashSketch {
        let sh = shingles(text)
        return MinHashSketch(shingles: sh, signature: signature(sh))
    }

    /// A 64-bit finaliser (the MurmurHash3 fmix64 constants): a bijection that spreads every input bit
    /// over the output, so different salts give practically independent orderings of the shingles.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z ^= z >> 33
        z &*= 0xFF51_AFD7_ED55_8CCD
        z ^= z >> 33
        z &*= 0xC4CE_B9FE_1A85_EC53
        z ^= z >> 33
        return z
    }
}
