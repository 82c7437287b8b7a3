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

    /// The banding that minimises weighted false positives (candidates below the threshold) plus false
    /// negatives (pairs at or above it that are missed), integrated over similarity.
    ///
    /// Candidates are verified with the exact Jaccard similarity, so a false positive only costs one
    /// comparison while a false negative loses a duplicate: misses weigh 0.8, extra candidates 0.2.
    public static func optimal(threshold: Double, permutations: Int) -> LSHBanding {
        var best = LSHBanding(bands: 1, rows: max(1, permutations))
        var bestCost = Double.infinity
        let steps = 200
        for b in 1...max(1, permutations) {
            let maxRows = permutations / b
            guard maxRows >= 1 else { continue }
            for r in 1...maxRows {
                let cand = LSHBanding(bands: b, rows: r)
                var fp = 0.0, fn = 0.0
                for k in 0..<steps {
                    let s = (Double(k) + 0.5) / Double(steps)
                    let p = cand.candidateProbability(s)
                    if s < threshold { fp += p } else { fn += 1 - p }
                }
                // Very short bands make unrelated texts collide: keep at least 2 rows.
                let cost = (0.2 * fp + 0.8 * fn) / Double(steps) + (r < 2 ? 1 : 0)
                if cost < bestCost - 1e-12 { bestCost = cost; best = cand }
            }
        }
        return best
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
