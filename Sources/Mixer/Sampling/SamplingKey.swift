import Curation

/// The 64-bit keys sampling and shuffling decisions are made by. A key depends on the seed, the
/// source's name and a record's id, never on where the record sits in its files, so the same records
/// split into a different number of input shards give the same mix (DESIGN.md section 6).
public enum SamplingKey {
    /// Key of a record of a source: the smallest keys are taken first.
    @inline(__always)
    public static func record(seed: UInt64, source: String, id: String) -> UInt64 {
        hash(seed: seed, tag: 0x53, source: source, id: id)
    }

    /// Key of an output record (by its unique output id): the global shuffle sorts by it.
    @inline(__always)
    public static func shuffle(seed: UInt64, source: String, outputID: String) -> UInt64 {
        hash(seed: seed, tag: 0x4F, source: source, id: outputID)
    }

    /// XXH3-64 with the seed over `tag source 0x00 id`: the tag keeps sampling and shuffle keys apart.
    static func hash(seed: UInt64, tag: UInt8, source: String, id: String) -> UInt64 {
        var source = source, id = id
        return source.withUTF8 { s in
            id.withUTF8 { d in
                // On the stack for ordinary sizes: this runs once per record and once per output copy.
                withUnsafeTemporaryAllocation(byteCount: s.count + d.count + 2, alignment: 1) { buf in
                    buf[0] = tag
                    UnsafeMutableRawBufferPointer(rebasing: buf[1..<(1 + s.count)]).copyMemory(from: UnsafeRawBufferPointer(s))
                    buf[1 + s.count] = 0
                    UnsafeMutableRawBufferPointer(rebasing: buf[(2 + s.count)...]).copyMemory(from: UnsafeRawBufferPointer(d))
                    return XXH3.hash64(UnsafeRawBufferPointer(buf), seed: seed)
                }
            }
        }
    }

    /// Hash of an id alone, to notice ids that more than one record carries.
    @inline(__always)
    public static func id(_ id: String) -> UInt64 { XXH3.hash64(id, seed: 0x1D) }
}
