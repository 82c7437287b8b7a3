import Foundation

/// A bounds-checked little-endian reader over a file's bytes.
///
/// Every read checks the remaining length first, so a truncated or hostile file produces a
/// `TrainerError.badFile` naming the byte offset, never an out-of-bounds read; counts read from
/// the file are checked against what is left before anything is allocated from them.
struct ByteReader {
    let data: Data
    let path: String
    private(set) var offset: Int

    init(data: Data, path: String, offset: Int = 0) {
        self.data = data; self.path = path; self.offset = offset
    }

    var remaining: Int { data.count - offset }

    func fail(_ reason: String, at: Int? = nil) -> TrainerError {
        .badFile(path: path, offset: at ?? offset, reason: reason)
    }

    mutating func need(_ n: Int, _ what: String) throws {
        guard n >= 0, n <= remaining else { throw fail("truncated: \(what) needs \(n) bytes, \(remaining) left") }
    }

    mutating func readInteger<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        try need(MemoryLayout<T>.size, what)
        let start = data.startIndex + offset
        let v = data.withUnsafeBytes { raw in
            raw.loadUnaligned(fromByteOffset: start - data.startIndex, as: T.self)
        }
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    mutating func u8(_ w: String) throws -> UInt8 { try readInteger(UInt8.self, w) }
    mutating func u32(_ w: String) throws -> UInt32 { try readInteger(UInt32.self, w) }
    mutating func u64(_ w: String) throws -> UInt64 { try readInteger(UInt64.self, w) }

    /// A u64 count or size that must fit in `limit` (typically what is left of the file).
    mutating func count(_ what: String, limit: Int) throws -> Int {
        let at = offset
        let v = try u64(what)
        guard v <= UInt64(max(0, limit)) else { throw fail("\(what) \(v) exceeds the limit \(limit)", at: at) }
        return Int(v)
    }

    mutating func bytes(_ n: Int, _ what: String) throws -> Data {
        try need(n, what)
        let start = data.startIndex + offset
        offset += n
        return data[start..<(start + n)]
    }

    /// A UTF-8 string of `n` bytes (invalid sequences are an error: GGUF keys and names are UTF-8).
    mutating func string(_ n: Int, _ what: String) throws -> String {
        let at = offset
        let b = try bytes(n, what)
        guard let s = String(data: b, encoding: .utf8) else { throw fail("\(what) is not valid UTF-8", at: at) }
        return s
    }

    mutating func seek(_ to: Int) throws {
        guard to >= 0, to <= data.count else { throw fail("offset \(to) beyond the end of the file (\(data.count) bytes)") }
        offset = to
    }
}

/// Opens a file as bytes, memory-mapped where possible (checkpoints can be hundreds of MB).
func readFileData(_ path: String) throws -> Data {
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
        throw TrainerError.io(path: path, reason: "cannot read: \(error.localizedDescription)")
    }
}
