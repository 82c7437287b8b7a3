/// An open-addressing hash map from byte strings to a 64-bit payload, with keys stored in one arena.
///
/// Why: the encoder's word cache and the trainer's word counter look up millions of short words; a
/// `Dictionary<[UInt8], _>` would allocate an array per lookup. Here a lookup hashes the bytes in place
/// and compares them with the arena; only an insert copies them.
@usableFromInline struct ByteStringMap {
    @usableFromInline var slots: [Int32]          // entry index, -1 = empty
    @usableFromInline var hashes: [UInt64] = []    // per entry
    @usableFromInline var keyOffsets: [Int] = [0]  // entry i's key is keyBytes[keyOffsets[i]..<keyOffsets[i+1]]
    @usableFromInline var keyBytes: [UInt8] = []
    @usableFromInline var values: [UInt64] = []
    @usableFromInline var mask: Int

    @usableFromInline init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
    }

    @usableFromInline var count: Int { values.count }
    @usableFromInline var arenaBytes: Int { keyBytes.count }

    /// A fast 64-bit hash of short byte strings (8-byte words mixed by multiplication).
    @inline(__always) @usableFromInline
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var s: UInt64 = 0
            while i < n { w |= UInt64(p[i]) << s; s += 8; i += 1 }
            h = (h ^ w) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 29
        }
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }

    /// The entry index of `p[0..<n]`, or -1.
    @inline(__always) @usableFromInline
    func find(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> Int {
        var s = Int(truncatingIfNeeded: h) & mask
        return slots.withUnsafeBufferPointer { slots in
            keyBytes.withUnsafeBufferPointer { kb in
                keyOffsets.withUnsafeBufferPointer { ko in
                    hashes.withUnsafeBufferPointer { hs in
                        while true {
                            let e = Int(slots[s])
                            if e < 0 { return -1 }
                            if hs[e] == h {
                                let o = ko[e]
                                if ko[e + 1] - o == n, let base = kb.baseAddress,
                                   n == 0 || memcmpBytes(base + o, p, n) {
                                    return e
                                }
                            }
                            s = (s + 1) & mask
                        }
                    }
                }
            }
        }
    }

    /// Inserts a key known to be absent; returns its entry index.
    @usableFromInline
    mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, value: UInt64) -> Int {
        if (values.count + 1) * 2 > slots.count { grow() }
        let e = values.count
        keyBytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        keyOffsets.append(keyBytes.count)
        hashes.append(h)
        values.append(value)
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = Int32(e)
        return e
    }

    /// The key of entry `e`, as an array (for the trainer, after counting).
    @usableFromInline func key(_ e: Int) -> ArraySlice<UInt8> { keyBytes[keyOffsets[e]..<keyOffsets[e + 1]] }

    @usableFromInline mutating func removeAll() {
        for i in slots.indices { slots[i] = -1 }
        hashes.removeAll(keepingCapacity: true)
        keyOffsets.removeAll(keepingCapacity: true); keyOffsets.append(0)
        keyBytes.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    private mutating func grow() {
        let n = slots.count * 2
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
        for (e, h) in hashes.enumerated() {
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(e)
        }
    }
}

@inline(__always) @usableFromInline
func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    while i < n { if a[i] != b[i] { return false }; i += 1 }
    return true
}
