import Foundation

/// Dictionary encoding of a string column chunk (what pyarrow does by default): the distinct values in
/// order of first appearance go to a dictionary page (PLAIN), the data pages hold their indices
/// (RLE_DICTIONARY: a bit width byte, then the RLE / bit-packed hybrid). A chunk whose distinct values
/// pass `maxDictionaryBytes` (mostly-unique text such as chat turns) stays PLAIN: all or nothing per
/// chunk, decided before its first page is written.
struct StringDictionary {
    /// The dictionary page's content: PLAIN values (length-prefixed).
    var plain: [UInt8] = []
    var count = 0
    /// One index per value of the chunk.
    var indices: [UInt32] = []

    static let maxDictionaryBytes = 1 << 20

    /// Bits per index (at least 1, as readers expect).
    var bitWidth: Int { max(1, LevelEncoder.bitWidth(count - 1)) }

    /// The dictionary of `values` (PLAIN byte arrays, `valueCount` of them), or nil when it would pass
    /// the size limit or save nothing.
    static func build(_ values: [UInt8], valueCount: Int) -> StringDictionary? {
        guard valueCount > 1 else { return nil }
        var d = StringDictionary()
        d.indices.reserveCapacity(valueCount)
        var capacity = 1024
        while capacity < min(valueCount, 1 << 20) * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        var entryStart: [Int] = []   // start of each entry's content in `d.plain`
        let ok: Bool = values.withUnsafeBytes { v -> Bool in
            guard let base = v.baseAddress else { return false }
            var pos = 0
            while pos + 4 <= v.count {
                let n = Int(v.loadUnaligned(fromByteOffset: pos, as: UInt32.self).littleEndian)
                let start = pos + 4
                guard start + n <= v.count else { return false }
                let content = UnsafeRawBufferPointer(start: base + start, count: n)
                let h = XXH3.hash64(content)
                var slot = Int(truncatingIfNeeded: h) & (capacity - 1)
                var found = -1
                while slots[slot] >= 0 {
                    let e = Int(slots[slot])
                    let es = entryStart[e]
                    let en = Int(d.plain.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: es - 4, as: UInt32.self).littleEndian })
                    if en == n, d.plain.withUnsafeBytes({ p -> Bool in
                        guard let pb = p.baseAddress else { return n == 0 }
                        return n == 0 || memcmp(pb + es, base + start, n) == 0
                    }) {
                        found = e
                        break
                    }
                    slot = (slot + 1) & (capacity - 1)
                }
                if found < 0 {
                    if d.plain.count + 4 + n > maxDictionaryBytes || d.count * 2 >= capacity { return false }
                    found = d.count
                    slots[slot] = Int32(found)
                    d.plain.append(contentsOf: UnsafeRawBufferPointer(start: base + pos, count: 4 + n))
                    entryStart.append(d.plain.count - n)
                    d.count += 1
                }
                d.indices.append(UInt32(found))
                pos = start + n
            }
            return pos == v.count
        }
        guard ok, d.indices.count == valueCount else { return nil }
        // Worth it only when the indices and the dictionary are smaller than the plain values.
        guard d.plain.count + valueCount * d.bitWidth / 8 < values.count * 3 / 4 else { return nil }
        return d
    }
}
