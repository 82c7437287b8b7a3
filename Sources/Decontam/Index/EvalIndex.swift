import Curation

/// Facts about one indexed eval set, as stored in the index and quoted in reports.
public struct EvalSetInfo: Sendable, Hashable {
    public var name: String
    public var path: String
    /// XXH3-128 of the file's bytes on disk.
    public var fileHash: String
    /// Records read from the file.
    public var records: Int
    /// Instances indexed (records kept by the selection).
    public var instances: Int
    /// How the file was read (fields, answers, id field, selection).
    public var reading: String
}

/// The eval index in memory: every eval instance, and the n-gram table the scan looks hashes up in.
///
/// Instances are numbered in eval-set name order, then in file order; reports list them in that order.
public final class EvalIndex: @unchecked Sendable {
    public let path: String
    public let settings: NGramSettings
    public let sets: [EvalSetInfo]
    /// Per instance: its set's number in `sets`, id, token count, counted n-grams and a text preview.
    public let instanceSet: [Int32]
    public let instanceIDs: [String]
    public let instanceTokens: [Int32]
    /// Distinct n-grams of each instance that count (boilerplate left out): the overlap's denominator.
    public let instanceNGrams: [Int32]
    public let instancePreviews: [String]
    /// The n-gram lengths a scan hashes: n, then every shorter length of a short instance.
    public let lengths: [Int]
    /// Hashes of the first token of every short instance: a scan hashes the shorter lengths only where
    /// a token is one of these.
    public let shortFirstTokens: Set<UInt64>
    /// A 4096-bit filter of `shortFirstTokens`, checked before the set.
    let shortFirstMask: [UInt64]

    /// A cheaper test before a token is hashed for `startsShortInstance`: per first byte of a short
    /// instance's first token, a bit per byte length of that token (63 = 63 or more). Built from the
    /// instances' stored previews, each checked against the stored first-token hash; nil (hash every
    /// token) when any preview does not give that token back. Skipping the hash of every token
    /// saves about 1 s per GB of chat text in a scan against an index with short instances.
    let shortFirstPrefilter: UnsafePointer<UInt64>?

    /// Whether scans test a token's first byte and length before hashing it for short instances.
    public var hasShortInstancePrefilter: Bool { shortFirstPrefilter != nil }

    /// Whether a token hash starts a short instance.
    @inline(__always) func startsShortInstance(_ h: UInt64) -> Bool {
        shortFirstMask[Int(h & 63)] & (1 << ((h >> 6) & 63)) != 0 && shortFirstTokens.contains(h)
    }
    public let table: NGramTable
    /// N-grams left out because more than `maxEvalFrequency` instances hold them.
    public let boilerplateNGrams: Int
    public let maxEvalFrequency: Int?
    /// Distinct (n-gram, instance) pairs indexed.
    public let pairs: Int

    public var instanceCount: Int { instanceIDs.count }

    init(path: String, settings: NGramSettings, sets: [EvalSetInfo], instances: [LoadedInstance], maxEvalFrequency: Int?) {
        self.path = path
        self.settings = settings
        self.sets = sets
        self.maxEvalFrequency = maxEvalFrequency
        var pairs: [(hash: UInt64, instance: UInt32)] = []
        pairs.reserveCapacity(instances.reduce(0) { $0 + $1.hashes.count })
        var shortLengths = Set<Int>()
        var firsts = Set<UInt64>()
        for (k, inst) in instances.enumerated() {
            for h in inst.hashes { pairs.append((h, UInt32(k))) }
            if inst.tokens > 0 && inst.tokens < settings.n { shortLengths.insert(inst.tokens); firsts.insert(inst.firstToken) }
        }
        shortFirstTokens = firsts
        shortFirstPrefilter = EvalIndex.prefilter(instances, settings: settings)
        var mask = [UInt64](repeating: 0, count: 64)
        for h in firsts { mask[Int(h & 63)] |= 1 << ((h >> 6) & 63) }
        shortFirstMask = mask
        self.pairs = pairs.count
        var dropped: [UInt64] = []
        table = NGramTable(pairs: &pairs, maxInstances: maxEvalFrequency, dropped: &dropped)
        boilerplateNGrams = dropped.count
        var counted = instances.map { Int32($0.hashes.count) }
        if !dropped.isEmpty {
            dropped.sort()
            for (k, inst) in instances.enumerated() {
                var c: Int32 = 0
                for h in inst.hashes where !EvalIndex.contains(dropped, h) { c += 1 }
                counted[k] = c
            }
        }
        instanceNGrams = counted
        instanceSet = instances.map(\.set)
        instanceIDs = instances.map(\.id)
        instanceTokens = instances.map { Int32($0.tokens) }
        instancePreviews = instances.map(\.preview)
        lengths = [settings.n] + shortLengths.sorted()
    }

    /// See `shortFirstPrefilter`.
    /// (256 words, freed with the index.)
    private static func prefilter(_ instances: [LoadedInstance], settings: NGramSettings) -> UnsafePointer<UInt64>? {
        var bits = [UInt64](repeating: 0, count: 256)
        let buffer = TokenBuffer(capacity: 512)
        for inst in instances where inst.tokens > 0 && inst.tokens < settings.n {
            buffer.removeAll()
            settings.normalizer.append(inst.preview, to: buffer)
            guard buffer.tokenCount > 0, NGramHasher.hash(buffer, 0, 1) == inst.firstToken else { return nil }
            let s = buffer.start(0), length = buffer.end(0) - s
            bits[Int(buffer.bytes[s])] |= 1 << UInt64(min(length, 63))
        }
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)
        p.initialize(from: bits, count: 256)
        return UnsafePointer(p)
    }

    deinit { shortFirstPrefilter.map { UnsafeMutablePointer(mutating: $0).deallocate() } }

    /// Whether token `i` of `buffer` can start a short instance, by the prefilter (true without one).
    @inline(__always) func mayStartShortInstance(_ buffer: TokenBuffer, _ i: Int) -> Bool {
        guard let bits = shortFirstPrefilter else { return true }
        let s = buffer.start(i), length = buffer.end(i) - s
        return bits[Int(buffer.bytes[s])] & (1 << UInt64(min(length, 63))) != 0
    }

    private static func contains(_ sorted: [UInt64], _ h: UInt64) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi { let m = (lo + hi) / 2; if sorted[m] < h { lo = m + 1 } else { hi = m } }
        return lo < sorted.count && sorted[lo] == h
    }

    /// Memory the scan structures hold per indexed n-gram, in bytes (table plus per-instance counts).
    public var bytesPerNGram: Double {
        guard table.count > 0 else { return 0 }
        return Double(table.memoryBytes + instanceCount * 8) / Double(table.count)
    }

    struct LoadedInstance {
        var set: Int32
        var id: String
        var tokens: Int
        var hashes: [UInt64]
        var preview: String
        var firstToken: UInt64
    }
}
