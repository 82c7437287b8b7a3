import Foundation

/// Cut points for sharing a plain JSONL file out by byte ranges: a share planner picks target offsets
/// (say every 64 MiB) and `cuts` moves each to the next line start, with that line's number, so every
/// range `[cut k, cut k+1)` is whole lines and its records keep the whole file's `FILE:LINE` numbering
/// (`InputSlice(file:byteRange:firstLine:firstOffset:)`).
public enum LineCuts {
    /// For each target byte offset (ascending, each in `0...fileSize`): the offset of the first line
    /// starting at or after it (`fileSize` if none) and that line's 1-based number: 1 + the newlines
    /// before it, blank lines included, as `LineReader` numbers lines.
    ///
    /// One sequential pass over the file up to the last cut, in a 1 MiB buffer; newlines are counted a
    /// word at a time, so the pass runs at memory speed rather than one call per line.
    public static func cuts(path: String, at targets: [Int]) throws -> [(offset: Int, line: Int)] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CurationError.io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CurationError.io(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw CurationError.io(path: path, reason: "is a directory") }
        let fileSize = Int(st.st_size)
        var previous = 0
        for t in targets {
            guard t >= 0, t <= fileSize else {
                throw CurationError.invalidArgument("\(path): cut target \(t) is outside the file (0...\(fileSize))")
            }
            guard t >= previous else { throw CurationError.invalidArgument("\(path): cut targets must be ascending (\(t) after \(previous))") }
            previous = t
        }

        let capacity = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var bufStart = 0 // file offset of buffer[0]
        var bufCount = 0
        /// Loads the chunk holding `offset` (sequential use: only ever moves forward). False at EOF.
        func load(_ offset: Int) throws -> Bool {
            if offset >= bufStart && offset < bufStart + bufCount { return true }
            guard offset < fileSize else { return false }
            var n = 0
            while true {
                n = pread(fd, buffer, min(capacity, fileSize - offset), off_t(offset))
                if n < 0 && errno == EINTR { continue }
                break
            }
            if n < 0 { throw CurationError.io(path: path, reason: "read failed at offset \(offset): \(String(cString: strerror(errno)))") }
            bufStart = offset
            bufCount = n
            return n > 0
        }

        // Invariant: `newlines` counts the '\n' in [0, scanned).
        var scanned = 0
        var newlines = 0
        /// Counts newlines up to `limit` (exclusive), advancing `scanned`.
        func count(upTo limit: Int) throws {
            while scanned < limit {
                guard try load(scanned) else { return }
                let from = scanned - bufStart
                let to = min(bufCount, limit - bufStart)
                newlines += countNewlines(UnsafeRawPointer(buffer) + from, to - from)
                scanned = bufStart + to
            }
        }
        /// The first '\n' at or after `scanned`, advancing `scanned` past it; nil when there is none.
        func nextNewline() throws -> Int? {
            while try load(scanned) {
                let from = scanned - bufStart
                if let hit = memchr(buffer + from, 0x0A, bufCount - from) {
                    let at = bufStart + buffer.distance(to: hit)
                    scanned = at + 1
                    newlines += 1
                    return at
                }
                scanned = bufStart + bufCount
            }
            return nil
        }

        var out: [(offset: Int, line: Int)] = []
        out.reserveCapacity(targets.count)
        // The latest cut: a target at or before it moves to it (no newline lies between).
        var lastCut: (offset: Int, line: Int)? = nil
        for t in targets {
            if t == 0 { out.append((0, 1)); continue }
            if let c = lastCut, t <= c.offset { out.append(c); continue }
            // A line starts at t exactly when byte t-1 is '\n': search from t-1.
            try count(upTo: t - 1)
            let cut: (offset: Int, line: Int)
            if try nextNewline() != nil {
                cut = (scanned, newlines + 1)
            } else {
                try count(upTo: fileSize)
                cut = (fileSize, newlines + 1)
            }
            lastCut = cut
            out.append(cut)
        }
        return out
    }

    /// '\n' bytes in `[p, p + n)`, eight bytes at a time: each zero byte of `word ^ 0x0A…` becomes exactly
    /// one set high bit (no borrow between bytes), shifted down to a 0/1 per byte lane and summed in the
    /// lanes for up to 255 words before folding (no popcount: baseline x86-64 has no POPCNT, and the
    /// emulated one halves the speed).
    @inline(__always)
    static func countNewlines(_ p: UnsafeRawPointer, _ n: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let pattern: UInt64 = 0x0A &* ones
        let lanes16: UInt64 = 0x00FF_00FF_00FF_00FF
        var total = 0
        var k = 0
        while k + 8 <= n {
            var acc: UInt64 = 0
            let stop = min(n - 7, k + 8 * 255)
            while k < stop {
                let v = p.loadUnaligned(fromByteOffset: k, as: UInt64.self) ^ pattern
                acc &+= (~(((v & low7) &+ low7) | v | low7)) >> 7
                k &+= 8
            }
            let pairs = (acc & lanes16) &+ ((acc >> 8) & lanes16)
            total &+= Int(truncatingIfNeeded: (pairs &* 0x0001_0001_0001_0001) >> 48)
        }
        while k < n {
            if p.load(fromByteOffset: k, as: UInt8.self) == 0x0A { total &+= 1 }
            k &+= 1
        }
        return total
    }
}
