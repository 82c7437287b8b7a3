import Curation
import Foundation

/// A sorted run on disk (the mix's shuffle spills, a sharded mix's gather files, a sharded vote's groups): entries `key u64 | seq u64 | length u32 | bytes`, little-endian, in order.
/// Plain files in a private temporary directory; written and read through large buffers.
public final class RunWriter {
    public let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int
    /// Bytes appended so far (an entry's offset is this before its `append`).
    public private(set) var offset = 0

    public init(path: String, bufferBytes: Int) throws {
        self.path = path
        capacity = max(4096, bufferBytes)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CurationError.io(path: path, reason: "cannot create spill file: \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(capacity)
    }
    deinit { if fd >= 0 { Glibc.close(fd) } }

    public func append(key: UInt64, seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + 20 + bytes.count > capacity { try flush() }
        offset += 20 + bytes.count
        withUnsafeBytes(of: key.littleEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: seq.littleEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: bytes)
    }

    public func flush() throws {
        try buffer.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let w = write(fd, b.baseAddress! + off, b.count - off)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw CurationError.io(path: path, reason: "spill write failed: \(String(cString: strerror(errno)))")
                }
                off += w
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }
}

/// Reads a run back entry by entry; `current` is the entry under the cursor.
public final class RunReader {
    public let path: String
    private var fd: Int32
    private var buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var capacityNow: Int
    private var start = 0
    private var end = 0
    private var eof = false
    public private(set) var key: UInt64 = 0
    public private(set) var seq: UInt64 = 0
    /// Offset and length of the current entry's bytes in the buffer (valid until `advance`).
    private var recStart = 0
    private var recCount = 0
    public private(set) var exhausted = false
    /// Bytes of the file still to read (the rest of the range read).
    private var remaining = Int.max
    private var ranged = false

    /// Reads the run in `path`, or only the entries in its byte range `range` (a sharded mix's gather
    /// file holds one key range per partition, listed in its index).
    public init(path: String, bufferBytes: Int, range: Range<Int>? = nil) throws {
        self.path = path
        capacity = max(1 << 12, bufferBytes)
        capacityNow = capacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            buffer.deallocate()
            throw CurationError.io(path: path, reason: "cannot open spill file: \(String(cString: strerror(errno)))")
        }
        if let range {
            guard range.lowerBound >= 0, lseek(fd, off_t(range.lowerBound), SEEK_SET) == off_t(range.lowerBound) else {
                throw CurationError.io(path: path, reason: "cannot seek to byte \(range.lowerBound): \(String(cString: strerror(errno)))")
            }
            remaining = range.count
            ranged = true
        }
        try advance()
    }
    deinit { if fd >= 0 { Glibc.close(fd) }; buffer.deallocate() }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer + recStart, count: recCount) }

    /// Makes at least `n` bytes available from `start`, growing the buffer for a large record.
    private func fill(_ n: Int) throws -> Bool {
        if end - start >= n { return true }
        if start > 0 {
            memmove(buffer, buffer + start, end - start)
            end -= start; start = 0
        }
        if n > capacityNow {
            let bigger = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 16)
            bigger.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = bigger
            capacityNow = n
        }
        while end - start < n && !eof {
            if remaining == 0 { eof = true; break }
            let r = read(fd, buffer + end, min(capacityNow - end, remaining))
            if r < 0 {
                if errno == EINTR { continue }
                throw CurationError.io(path: path, reason: "spill read failed: \(String(cString: strerror(errno)))")
            }
            if r == 0 {
                eof = true
                // A byte range that runs past the end of the file: the file was cut short, not the range.
                if ranged && remaining > 0 { throw CurationError.io(path: path, reason: "ends \(remaining) bytes before the range read") }
            } else { end += r; remaining -= r }
        }
        return end - start >= n
    }

    /// Moves to the next entry (or marks the reader exhausted).
    public func advance() throws {
        start += recCount
        recCount = 0
        guard try fill(20) else {
            if end - start != 0 { throw CurationError.io(path: path, reason: "spill file is truncated") }
            exhausted = true
            return
        }
        let p = buffer + start
        key = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        seq = UInt64(littleEndian: (p + 8).loadUnaligned(as: UInt64.self))
        let len = Int(UInt32(littleEndian: (p + 16).loadUnaligned(as: UInt32.self)))
        guard try fill(20 + len) else { throw CurationError.io(path: path, reason: "spill file is truncated") }
        recStart = start + 20
        recCount = len
        start += 20
    }
}

/// K-way merge of sorted runs by (key, seq), by a binary heap over the readers' current entries.
public enum RunMerge {
    public static func merge(_ all: [RunReader], _ body: (UInt64, UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        var readers = all.filter { !$0.exhausted }
        func less(_ a: RunReader, _ b: RunReader) -> Bool { a.key != b.key ? a.key < b.key : a.seq < b.seq }
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < readers.count, less(readers[l], readers[m]) { m = l }
                if r < readers.count, less(readers[r], readers[m]) { m = r }
                if m == i { return }
                readers.swapAt(i, m); i = m
            }
        }
        var k = readers.count / 2
        while k > 0 { k -= 1; siftDown(k) }
        while let top = readers.first {
            try body(top.key, top.seq, top.bytes)
            try top.advance()
            if top.exhausted {
                readers[0] = readers[readers.count - 1]
                readers.removeLast()
            }
            if !readers.isEmpty { siftDown(0) }
        }
    }
}

/// Where each of N key ranges (buckets) starts in a run file: `STEM.index`, N + 1 little-endian offsets
/// (a sharded mix's gather files, a sharded vote's route files).
public enum RunIndex {
    public static func write(_ starts: [UInt64], to path: String) throws {
        var bytes: [UInt8] = []
        for s in starts { withUnsafeBytes(of: s.littleEndian) { bytes.append(contentsOf: $0) } }
        try AtomicFileWriter.write(bytes, to: path)
    }

    /// The byte range of bucket `k` of `count`, checked: the index has N + 1 offsets and they do not run backwards.
    public static func range(_ path: String, bucket k: Int, count: Int) throws -> Range<Int> {
        guard let data = FileManager.default.contents(atPath: path), data.count == (count + 1) * 8, (0..<count).contains(k) else {
            throw CurationError.io(path: path, reason: "missing or not an index of \(count) key ranges: run the phase that writes it first")
        }
        let b = [UInt8](data)
        func at(_ i: Int) -> UInt64 { b[(i * 8)..<(i * 8 + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        let lo = at(k), hi = at(k + 1)
        guard lo <= hi, hi <= UInt64(Int.max) else { throw CurationError.io(path: path, reason: "key range \(k) is \(lo) to \(hi): not an index") }
        return Int(lo)..<Int(hi)
    }
}
