import Foundation

/// How a signature is cut into bands for locality-sensitive hashing: two texts become a candidate
/// pair when all `rows` values of at least one of the `bands` agree. The chance of that for Jaccard
/// similarity s is 1 - (1 - s^rows)^bands, an S-curve whose steep part sits near (1/bands)^(1/rows).
public struct LSHBanding: Sendable, Hashable, CustomStringConvertible {
    public var bands: Int
    public var rows: Int
    public init(bands: Int, rows: Int) { self.bands = bands; self.rows = rows }

    public var description: String { "\(bands)x\(rows)" }

    /// Probability that a pair with Jaccard similarity `s` becomes a candidate.
    public func candidateProbability(_ s: Double) -> Double {
        1 - pow(1 - pow(s, Double(rows)), Double(bands))
    }

    /// The banding with the longest bands (fewest chance candidates) that still finds a pair at the
    /// threshold with probability at least `recall`: candidates are verified with the exact Jaccard
    /// similarity, so an extra candidate costs one comparison while a miss loses a duplicate.
    /// For 128 permutations and threshold 0.8 this is 21 bands of 6 rows (P(0.8) = 0.998, P(0.3) = 0.015).
    public static func optimal(threshold: Double, permutations: Int, recall: Double = 0.99) -> LSHBanding {
        let p = max(1, permutations)
        for rows in stride(from: p, through: 1, by: -1) {
            let b = LSHBanding(bands: p / rows, rows: rows)
            if b.candidateProbability(threshold) >= recall { return b }
        }
        return LSHBanding(bands: p, rows: 1)
    }
}

/// A near-duplicate index: sketches go in one at a time; each new one is checked against those already
/// in. Lookups go through LSH buckets, and every candidate is confirmed with the exact Jaccard
/// similarity of the shingle sets, so the verdict on a pair never depends on hash luck.
///
/// Deterministic: buckets hold item numbers in insertion order and candidates are tried in ascending
/// order, so the match reported is the earliest inserted item at or above the threshold.
public struct LSHIndex {
    public let threshold: Double
    public let banding: LSHBanding
    private var buckets: [[UInt64: [Int32]]]
    private var shingles: [[UInt64]] = []

    public init(threshold: Double, banding: LSHBanding) {
        self.threshold = threshold
        self.banding = banding
        buckets = Array(repeating: [:], count: banding.bands)
    }

    /// Number of sketches inserted.
    public var count: Int { shingles.count }

    /// The band keys of a signature: one hash per band of its `rows` values.
    private func bandKeys(_ signature: [UInt64]) -> [UInt64] {
        var keys: [UInt64] = []
        keys.reserveCapacity(banding.bands)
        signature.withUnsafeBufferPointer { sig in
            for b in 0..<banding.bands {
                var h: UInt64 = UInt64(b) &* 0x9E37_79B9_7F4A_7C15
                let start = b * banding.rows
                for k in start..<min(sig.count, start + banding.rows) {
                    h = MinHasher.mix(h ^ sig[k]) &+ 0x632B_E59B_D9B4_E019
                }
                keys.append(h)
            }
        }
        return keys
    }

    /// The earliest inserted item whose exact Jaccard similarity with `sketch` is at least the
    /// threshold, with that similarity; nil when there is none.
    public func firstMatch(_ sketch: MinHashSketch) -> (item: Int, jaccard: Double)? {
        var candidates: [Int32] = []
        let keys = bandKeys(sketch.signature)
        for (b, key) in keys.enumerated() {
            if let bucket = buckets[b][key] { candidates.append(contentsOf: bucket) }
        }
        guard !candidates.isEmpty else { return nil }
        candidates.sort()
        var previous: Int32 = -1
        for c in candidates where c != previous {
            previous = c
            let j = MinHashSketch.jaccard(shingles[Int(c)], sketch.shingles)
            if j >= threshold { return (Int(c), j) }
        }
        return nil
    }

    /// Adds a sketch; returns its item number.
    @discardableResult
    public mutating func insert(_ sketch: MinHashSketch) -> Int {
        let id = Int32(truncatingIfNeeded: shingles.count)
        for (b, key) in bandKeys(sketch.signature).enumerated() {
            buckets[b][key, default: []].append(id)
        }
        shingles.append(sketch.shingles)
        return Int(id)
    }
}
