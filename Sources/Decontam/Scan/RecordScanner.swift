import CPrefetch
import CXXHash
import Curation

/// One eval instance a train record matched: the instance's number in the index and how many of its
/// distinct n-grams the record holds.
public struct InstanceMatch: Sendable, Hashable {
    public var instance: Int
    public var matched: Int
    public var total: Int
    public var overlap: Double { total > 0 ? Double(matched) / Double(total) : 0 }
}

/// Scans one train record at a time against the index. Holds per-thread scratch (token buffer, match
/// counters), so use one per thread; the index is shared read-only.
public final class RecordScanner {
    public let index: EvalIndex
    public let options: ScanOptions
    let reader: RecordTextReader
    public let buffer = TokenBuffer(capacity: 1 << 16)
    private let counts: UnsafeMutablePointer<Int32>
    private var touched: [Int32] = []
    private var hits: [Int32] = []
    private var hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: 4096)
    private var hashCapacity = 4096

    public init(index: EvalIndex, options: ScanOptions) {
        self.index = index
        self.options = options
        reader = RecordTextReader(normalizer: index.settings.normalizer, fields: options.fields)
        counts = .allocate(capacity: max(1, index.instanceCount))
        counts.initialize(repeating: 0, count: max(1, index.instanceCount))
        touched.reserveCapacity(64)
        hits.reserveCapacity(256)
    }

    deinit { counts.deallocate(); hashes.deallocate() }

    /// The eval instances `record` matches under the rule (overlap at least the threshold, or any shared
    /// n-gram with `any`), in instance order. Throws `badRecord` when a text field has the wrong type.
    public func scan(_ record: RawRecord) throws -> [InstanceMatch] {
        try reader.read(record, into: buffer)
        return matchTokens()
    }

    /// The text the last `scan` read (source offsets of tokens refer to it).
    public var lastText: [UInt8] { reader.lastText }

    /// Matches the tokens now in `buffer`.
    public func matchTokens() -> [InstanceMatch] {
        let t = buffer.tokenCount
        let table = index.table
        let n = index.settings.n
        hits.removeAll(keepingCapacity: true)
        if t >= n {
            // Hash a block of n-grams first, then test the block against the Bloom filter: the filter (a
            // few MB) misses the cache on most probes, and independent probes in a tight loop let the
            // processor overlap those misses instead of stalling on each between two hashes.
            let count = t - n + 1
            if count > hashCapacity {
                hashes.deallocate()
                hashCapacity = max(count, hashCapacity * 2)
                hashes = .allocate(capacity: hashCapacity)
            }
            let hashes = self.hashes
            let bytes = buffer.bytes, starts = buffer.starts, total = buffer.count
            let filter = table.filter, filterMask = UInt64(table.filterMask)
            var block = 0
            while block < count {
                let blockEnd = min(count, block + 256)
                for i in block..<blockEnd {
                    let s = Int(starts[i])
                    let e = i + n < t ? Int(starts[i + n]) - 1 : total
                    let h = XXH3_64bits(bytes + s, e - s)
                    hashes[i] = h
                    // Ask for the filter word now: it arrives while the next n-grams are hashed.
                    curate_prefetch(filter + Int(h & filterMask))
                }
                for i in block..<blockEnd {
                    let h = hashes[i]
                    let b = NGramTable.filterBits(h)
                    guard filter[Int(h & filterMask)] & b == b else { continue }
                    let s = table.find(h)
                    if s >= 0 { hits.append(Int32(truncatingIfNeeded: s)) }
                }
                block = blockEnd
            }
        }
        if index.lengths.count > 1 {
            // Short eval instances: only where a token starts one of them (a byte test first, then the hash).
            for i in 0..<t where index.mayStartShortInstance(buffer, i) && index.startsShortInstance(NGramHasher.hash(buffer, i, 1)) {
                for L in index.lengths.dropFirst() where i + L <= t {
                    let s = table.find(NGramHasher.hash(buffer, i, L))
                    if s >= 0 { hits.append(Int32(truncatingIfNeeded: s)) }
                }
            }
        }
        if hits.isEmpty { return [] }
        // Distinct n-grams only: a record repeating an n-gram counts it once.
        if hits.count > 1 {
            hits.sort()
            var w = 1
            for r in 1..<hits.count where hits[r] != hits[w - 1] { hits[w] = hits[r]; w += 1 }
            hits.removeLast(hits.count - w)
        }
        touched.removeAll(keepingCapacity: true)
        let counts = self.counts
        for s in hits {
            table.forEachInstance(slot: Int(s)) { inst in
                if counts[inst] == 0 { touched.append(Int32(inst)) }
                counts[inst] += 1
            }
        }
        touched.sort()
        var out: [InstanceMatch] = []
        let threshold = options.threshold - 1e-12
        for inst32 in touched {
            let inst = Int(inst32)
            let matched = Int(counts[inst])
            counts[inst] = 0
            let total = Int(index.instanceNGrams[inst])
            guard total > 0 else { continue }
            if options.any || Double(matched) / Double(total) >= threshold {
                out.append(InstanceMatch(instance: inst, matched: matched, total: total))
            }
        }
        return out
    }

    /// Source byte spans (in `lastText`) of the record's n-grams that belong to any of `instances`.
    public func matchedSpans(of instances: Set<Int>) -> [Range<Int>] {
        let t = buffer.tokenCount
        var spans: [Range<Int>] = []
        for L in index.lengths where t >= L {
            for i in 0...(t - L) {
                let s = index.table.find(NGramHasher.hash(buffer, i, L))
                guard s >= 0 else { continue }
                var hit = false
                index.table.forEachInstance(slot: s) { if instances.contains($0) { hit = true } }
                if hit { spans.append(Int(buffer.sourceStarts[i])..<Int(buffer.sourceEnds[i + L - 1])) }
            }
        }
        return spans.sorted { $0.lowerBound < $1.lowerBound }
    }
}
