/// Merge ranks: (left id, right id) -> (rank, merged id), in an open-addressing table of 64-bit keys.
///
/// Why not a `Dictionary`: the BPE inner loop does one lookup per adjacent pair per step; a
/// multiplicative hash on a packed key with linear probing is several times cheaper than SipHash.
@usableFromInline struct MergeTable: Sendable {
    /// Returned when a pair has no merge; larger than every packed value.
    @usableFromInline static let none = UInt64.max

    @usableFromInline var keys: [UInt64]
    @usableFromInline var values: [UInt64]
    @usableFromInline var mask: Int
    @usableFromInline private(set) var count = 0
    /// The merges in rank order, for saving.
    @usableFromInline private(set) var ordered: [(left: Int32, right: Int32, merged: Int32)] = []

    @usableFromInline init(expected: Int) {
        var n = 16
        while n < expected * 2 { n <<= 1 }
        keys = [UInt64](repeating: UInt64.max, count: n)
        values = [UInt64](repeating: 0, count: n)
        mask = n - 1
    }

    @inline(__always) @usableFromInline static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        (UInt64(UInt32(bitPattern: a)) << 32) | UInt64(UInt32(bitPattern: b))
    }

    @inline(__always) @usableFromInline static func slot(_ k: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }

    /// Adds the next merge (rank = number of merges so far). Returns false if the pair was already
    /// present: the first occurrence keeps its rank, as the reference implementation does.
    @usableFromInline mutating func append(_ a: Int32, _ b: Int32, merged: Int32) -> Bool {
        let k = MergeTable.key(a, b)
        var s = MergeTable.slot(k, mask)
        while keys[s] != UInt64.max {
            if keys[s] == k { return false }
            s = (s + 1) & mask
        }
        if (count + 1) * 2 > keys.count { grow(); return append(a, b, merged: merged) }
        keys[s] = k
        values[s] = (UInt64(ordered.count) << 32) | UInt64(UInt32(bitPattern: merged))
        ordered.append((a, b, merged))
        count += 1
        return true
    }

    /// (rank << 32 | merged id) of the pair, or `MergeTable.none`.
    @inline(__always) @usableFromInline
    func lookup(_ a: Int32, _ b: Int32) -> UInt64 {
        let k = MergeTable.key(a, b)
        return keys.withUnsafeBufferPointer { ks in
            var s = MergeTable.slot(k, mask)
            while true {
                let x = ks[s]
                if x == k { return values.withUnsafeBufferPointer { $0[s] } }
                if x == UInt64.max { return MergeTable.none }
                s = (s + 1) & mask
            }
        }
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let n = keys.count * 2
        keys = [UInt64](repeating: UInt64.max, count: n)
        values = [UInt64](repeating: 0, count: n)
        mask = n - 1
        for (i, k) in oldKeys.enumerated() where k != UInt64.max {
            var s = MergeTable.slot(k, mask)
            while keys[s] != UInt64.max { s = (s + 1) & mask }
            keys[s] = k
            values[s] = oldValues[i]
        }
    }
}
