/// The in-memory eval index: an open-addressing hash table from n-gram hash to the eval instances that
/// contain it.
///
/// Layout, for memory (the issue allows at most 32 bytes per indexed n-gram): one slot is a 64-bit key
/// and a 32-bit value, 12 bytes; the table is kept at most 70% full, so about 17 bytes per distinct
/// n-gram. Most n-grams occur in one eval instance, and then the value is that instance's number; an
/// n-gram shared by several instances has the top bit set and the rest points into `postings`, where its
/// instance count is followed by the instances. Slots are found by multiplying the (already uniform)
/// XXH3 hash into the table size, then probing linearly.
public final class NGramTable: @unchecked Sendable {
    /// Slots; `values[s] == emptyValue` marks an empty slot.
    let keys: UnsafeMutablePointer<UInt64>
    let values: UnsafeMutablePointer<UInt32>
    public let capacity: Int
    /// Instance lists of n-grams shared by several instances: count, then the instances (ascending).
    let postings: [UInt32]
    /// Distinct n-grams in the table.
    public let count: Int
    /// A blocked Bloom filter in front of the slots (16 bits per n-gram, two bits in one 64-bit word):
    /// most n-grams of training text are in no eval instance, and the filter answers that from a small
    /// array with one predictable load, where the slots would cost a cache miss each.
    let filter: UnsafeMutablePointer<UInt64>
    let filterMask: Int

    static let emptyValue: UInt32 = .max
    static let sharedFlag: UInt32 = 1 << 31

    /// Builds the table from (hash, instance) pairs. Pairs need not be sorted; duplicates are ignored.
    /// An n-gram found in more than `maxInstances` instances is left out (boilerplate); the hashes left
    /// out are returned so callers can discount them.
    public init(pairs: inout [(hash: UInt64, instance: UInt32)], maxInstances: Int? = nil, dropped: inout [UInt64]) {
        pairs.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.instance < $1.instance }
        // Count distinct kept n-grams first, to size the table.
        var groups: [(start: Int, end: Int)] = []
        var i = 0
        while i < pairs.count {
            var j = i + 1
            while j < pairs.count, pairs[j].hash == pairs[i].hash { j += 1 }
            groups.append((i, j))
            i = j
        }
        var kept = 0
        var postings: [UInt32] = []
        var groupInstances: [[UInt32]] = []
        groupInstances.reserveCapacity(0)
        let cap = max(16, groups.count * 10 / 7 + 1)
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: cap)
        let values = UnsafeMutablePointer<UInt32>.allocate(capacity: cap)
        values.initialize(repeating: NGramTable.emptyValue, count: cap)
        keys.initialize(repeating: 0, count: cap)
        for g in groups {
            var instances: [UInt32] = []
            for k in g.start..<g.end where instances.last != pairs[k].instance { instances.append(pairs[k].instance) }
            let hash = pairs[g.start].hash
            if let m = maxInstances, instances.count > m { dropped.append(hash); continue }
            let value: UInt32
            if instances.count == 1 {
                value = instances[0]
            } else {
                value = NGramTable.sharedFlag | UInt32(postings.count)
                postings.append(UInt32(instances.count))
                postings.append(contentsOf: instances)
            }
            var s = Int(hash.multipliedFullWidth(by: UInt64(cap)).high)
            while values[s] != NGramTable.emptyValue { s += 1; if s == cap { s = 0 } }
            keys[s] = hash
            values[s] = value
            kept += 1
        }
        var words = 1
        while words * 64 < max(64, kept * 16) { words *= 2 }
        let filter = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        filter.initialize(repeating: 0, count: words)
        for s in 0..<cap where values[s] != NGramTable.emptyValue {
            let h = keys[s]
            filter[Int(h & UInt64(words - 1))] |= NGramTable.filterBits(h)
        }
        self.filter = filter
        self.filterMask = words - 1
        self.keys = keys
        self.values = values
        self.capacity = cap
        self.postings = postings
        self.count = kept
    }

    deinit { keys.deallocate(); values.deallocate(); filter.deallocate() }

    /// Bytes the table holds (slots, postings and filter).
    public var memoryBytes: Int { capacity * 12 + postings.count * 4 + (filterMask + 1) * 8 }

    @inline(__always) static func filterBits(_ h: UInt64) -> UInt64 {
        (1 as UInt64) << ((h >> 32) & 63) | (1 as UInt64) << ((h >> 38) & 63)
    }

    /// False when `hash` is surely not in the table (true: it may be; ask `find`).
    @inline(__always)
    public func mayContain(_ hash: UInt64) -> Bool {
        let b = NGramTable.filterBits(hash)
        return filter[Int(hash & UInt64(filterMask))] & b == b
    }

    /// The slot holding `hash`, or -1.
    @inline(__always)
    public func find(_ hash: UInt64) -> Int {
        var s = Int(hash.multipliedFullWidth(by: UInt64(capacity)).high)
        while true {
            let v = values[s]
            if v == NGramTable.emptyValue { return -1 }
            if keys[s] == hash { return s }
            s += 1
            if s == capacity { s = 0 }
        }
    }

    /// Calls `body` with each instance holding the n-gram in `slot` (from `find`), ascending.
    @inline(__always)
    public func forEachInstance(slot: Int, _ body: (Int) -> Void) {
        let v = values[slot]
        if v & NGramTable.sharedFlag == 0 { body(Int(v)); return }
        let at = Int(v & ~NGramTable.sharedFlag)
        postings.withUnsafeBufferPointer { p in
            let n = Int(p[at])
            for k in 0..<n { body(Int(p[at + 1 + k])) }
        }
    }

    /// The instances holding `hash` (empty if none).
    public func instances(of hash: UInt64) -> [Int] {
        let s = find(hash)
        guard s >= 0 else { return [] }
        var out: [Int] = []
        forEachInstance(slot: s) { out.append($0) }
        return out
    }
}
