/// Byte-level text helpers for the answer normaliser. Foundation's `String.contains` and
/// `replacingOccurrences` go through NSString and dominated voting time; answers are short ASCII-heavy
/// strings, so plain byte scans are both simpler and an order of magnitude faster.
enum ByteText {
    /// The index of the first occurrence of `needle` in `hay` at or after `from`.
    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int = 0) -> Int? {
        guard let f = needle.first, needle.count <= hay.count else { return nil }
        var i = from
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == f {
                var k = 1
                while k < needle.count && hay[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    static func contains(_ needle: [UInt8], in hay: [UInt8]) -> Bool { find(needle, in: hay) != nil }

    /// Whether `pattern` occurs at `i`.
    @inline(__always) static func matches(_ pattern: [UInt8], in hay: [UInt8], at i: Int) -> Bool {
        guard i + pattern.count <= hay.count else { return false }
        for k in 0..<pattern.count where hay[i + k] != pattern[k] { return false }
        return true
    }

    /// A replacement table applied in one left-to-right pass; at each position the first listed pattern
    /// that matches wins (list longer patterns before their prefixes).
    struct Table {
        let entries: [(from: [UInt8], to: [UInt8])]
        /// Which first bytes start some pattern.
        let first: [Bool]

        init(_ pairs: [(String, String)]) {
            entries = pairs.map { (Array($0.0.utf8), Array($0.1.utf8)) }
            var f = [Bool](repeating: false, count: 256)
            for e in entries { if let c = e.from.first { f[Int(c)] = true } }
            first = f
        }

        func apply(_ b: [UInt8]) -> [UInt8] {
            var i = 0
            var out: [UInt8]? = nil
            var copied = 0
            while i < b.count {
                if first[Int(b[i])] {
                    var hit = false
                    for e in entries where e.from[0] == b[i] && ByteText.matches(e.from, in: b, at: i) {
                        if out == nil { out = []; out?.reserveCapacity(b.count) }
                        out?.append(contentsOf: b[copied..<i])
                        out?.append(contentsOf: e.to)
                        i += e.from.count
                        copied = i
                        hit = true
                        break
                    }
                    if hit { continue }
                }
                i += 1
            }
            guard var o = out else { return b }
            o.append(contentsOf: b[copied..<b.count])
            return o
        }
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }

    static func trim(_ b: [UInt8]) -> [UInt8] {
        var s = 0, e = b.count
        while s < e, isSpace(b[s]) { s += 1 }
        while e > s, isSpace(b[e - 1]) { e -= 1 }
        return s == 0 && e == b.count ? b : Array(b[s..<e])
    }
}
