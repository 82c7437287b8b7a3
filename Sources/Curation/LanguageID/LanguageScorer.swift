/// The per-text evidence the scoring pass gathers: naive-Bayes log-likelihood per language (over the grams of
/// each language's own script), and how many letters each script had.
struct LanguageEvidence {
    /// Log-likelihood of the text under each language plus its log prior, model order (unseen grams included).
    /// Grams of a script only one language writes are counted but not weighed: that language is never compared.
    var scores: [Double]
    /// Letters per script id.
    var letters: [Int]
    /// Bytes examined (at most the cap).
    var bytesExamined: Int
}

extension LanguageModel {
    /// Scores at most `maxBytes` bytes of UTF-8. Invalid or truncated sequences, scalars outside the Basic
    /// Multilingual Plane (emoji, rare ideographs), digits and punctuation all act as word separators, so
    /// hostile bytes only cost evidence, never a trap.
    ///
    /// Why one pass over bytes: decoding `String` by `Character` (grapheme clusters) costs more than the
    /// whole model lookup; the grams are over scalars, as langdetect counted them.
    func score(utf8 bytes: UnsafeRawBufferPointer, maxBytes: Int) -> LanguageEvidence {
        let nLangs = languages.count, nScripts = scriptNames.count
        let end = min(bytes.count, max(0, maxBytes))
        let width = denseWidth
        var gramCount = [Int](repeating: 0, count: nScripts * 3)  // per script, per n
        var letters = [Int](repeating: 0, count: nScripts)
        var scores = [Double](repeating: 0, count: nLangs)
        let canon = self.canon, scriptOf = self.scriptOf, sole = self.soleScript

        withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { acc in
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.batch) { pending in
        gramCount.withUnsafeMutableBufferPointer { grams in
        letters.withUnsafeMutableBufferPointer { lettersBuf in
            acc.initialize(repeating: 0)
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), end > 0,
                  let sum = acc.baseAddress, let keys = pending.baseAddress else { return }
            // 2- and 3-gram keys wait here and are looked up `batch` at a time (see `addBatch`).
            var nPending = 0
            // The window: the last three canonical characters (c2 newest) and their scripts; 0x20 is the word
            // boundary, script 0. `len` counts how many are real (a word restarts the window at " x").
            var c0: UInt64 = 0, c1: UInt64 = 0, c2: UInt64 = 0x20
            var s0 = 0, s1 = 0, s2 = 0
            var len = 1
            var i = 0
            while i < end {
                let cp = UTF8Scalar.decode(base, &i, end)
                let c = cp >= 0 && cp < 0x10000 ? UInt64(canon[cp]) : 0
                if c == 0 {
                    if c2 == 0x20 { continue }
                    c0 = c1; c1 = c2; c2 = 0x20
                    s0 = s1; s1 = s2; s2 = 0
                    len = min(len &+ 1, 3)
                } else {
                    let s = Int(scriptOf[Int(c)])
                    if c2 == 0x20 { c0 = 0; c1 = 0x20; s0 = 0; s1 = 0; len = 2 } else {
                        c0 = c1; c1 = c2; s0 = s1; s1 = s2; len = min(len &+ 1, 3)
                    }
                    c2 = c; s2 = s
                    lettersBuf[s] &+= 1
                }
                // Grams ending here: n = 1 (a letter), 2, 3; each only if its letters share one script.
                var script = s2
                for n in 1...3 {
                    if n > len { break }
                    var key = c2
                    if n >= 2 {
                        if s1 != 0 {
                            if script != 0 && s1 != script { break }
                            script = s1
                        }
                        key = c1 | c2 << 21
                    }
                    if n == 3 {
                        if s0 != 0 {
                            if script != 0 && s0 != script { break }
                            script = s0
                        }
                        key = c0 | c1 << 21 | c2 << 42
                    }
                    if script == 0 { continue }  // " " alone
                    grams[script &* 3 &+ n &- 1] &+= 1
                    if sole[script] { continue }  // one language writes this script: nothing to weigh
                    if n == 1 {
                        // A letter's own gram: read without hashing, from a table whose used part stays in cache.
                        let hit = unigrams[Int(truncatingIfNeeded: key & 0xFFFF)]
                        if hit.key != 0 { add(hit, into: sum, width: width) }
                    } else {
                        keys[nPending] = key
                        nPending &+= 1
                        if nPending == Self.batch {
                            addBatch(keys, nPending, into: sum, width: width)
                            nPending = 0
                        }
                    }
                }
            }
            addBatch(keys, nPending, into: sum, width: width)
        }}
            for l in 0..<nLangs { scores[l] = Double(acc[position[l]]) }
        }}

        for l in 0..<nLangs {
            let s = languageScript[l]
            var total = scores[l] + logPrior[l]
            for n in 0..<3 { total += Double(gramCount[s * 3 + n]) * Double(unseen[l * 3 + n]) }
            scores[l] = total
        }
        return LanguageEvidence(scores: scores, letters: letters, bytesExamined: end)
    }

    /// Keys of 2- and 3-grams looked up together: the gram table is larger than the L2 cache, so most lookups miss
    /// it, and one after another each waits for memory (the old loop spent a third of its time on that one load).
    /// Here a first loop without branches loads every key's home slot (the misses overlap), and a second probes
    /// from those copies and adds the weights.
    static let batch = 256

    @inline(__always) private func addBatch(_ keys: UnsafeMutablePointer<UInt64>, _ count: Int,
                                            into sum: UnsafeMutablePointer<Float>, width: Int) {
        guard count > 0, let table = slots.baseAddress else { return }
        withUnsafeTemporaryAllocation(of: Slot.self, capacity: count) { homes in
            guard let home = homes.baseAddress else { return }
            let shift = slotShift
            for j in 0..<count {
                (home + j).initialize(to: table[Int(truncatingIfNeeded: (keys[j] &* 0x9E37_79B9_7F4A_7C15) >> shift)])
            }
            for j in 0..<count {
                let key = keys[j]
                var s = home[j]
                if s.key != key {
                    if s.key == 0 { continue }
                    var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
                    while true {
                        i = (i &+ 1) & slotMask
                        s = table[i]
                        if s.key == key || s.key == 0 { break }
                    }
                    if s.key == 0 { continue }
                }
                add(s, into: sum, width: width)
            }
        }
    }

    /// Adds a gram's weights: its dense row with SIMD8 adds, or its few (language, weight) entries.
    @inline(__always) private func add(_ hit: Slot, into sum: UnsafeMutablePointer<Float>, width: Int) {
        if hit.end >= Slot.denseFlag, let rows = dense.baseAddress {
            // The row covers `blocks` SIMD8 blocks of positions from block `first`: inside the `width`-float
            // score vector by construction (the loader derives both from positions below the language count).
            let row = UnsafeRawPointer(rows + Int(hit.start))
            let out = UnsafeMutableRawPointer(sum + (Int(truncatingIfNeeded: (hit.end >> 8) & 0xFF) &<< 3))
            let bytes = Int(truncatingIfNeeded: hit.end & 0xFF) &<< 5
            var k = 0
            while k < bytes {
                let v = out.loadUnaligned(fromByteOffset: k, as: SIMD8<Float>.self)
                    + row.loadUnaligned(fromByteOffset: k, as: SIMD8<Float>.self)
                out.storeBytes(of: v, toByteOffset: k, as: SIMD8<Float>.self)
                k &+= 32
            }
            return
        }
        if hit.end >= Slot.singleFlag {
            sum[Int(truncatingIfNeeded: hit.end & 0xFFFF)] += Float(bitPattern: hit.start)
            return
        }
        guard let entries = self.entries.baseAddress else { return }
        var e = Int(hit.start)
        let stop = Int(hit.end)
        while e < stop {
            let entry = entries[e]
            sum[Int(entry.language)] += entry.weight
            e &+= 1
        }
    }
}

/// One UTF-8 scalar at a time over raw bytes, for the scoring passes of both language models.
enum UTF8Scalar {
    /// Decodes the scalar at `i` and advances `i` past it; -1 for an invalid or truncated sequence (one byte
    /// skipped) and for a supplementary-plane scalar (its bytes skipped), which the models treat as separators.
    @inline(__always) static func decode(_ base: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) -> Int {
        let b0 = base[i]
        var cp: Int = -1
        if b0 < 0x80 {
            cp = Int(b0); i &+= 1
        } else if b0 >= 0xC2 && b0 <= 0xDF {
            if i &+ 1 < end, base[i &+ 1] & 0xC0 == 0x80 {
                cp = (Int(b0 & 0x1F) << 6) | Int(base[i &+ 1] & 0x3F); i &+= 2
            } else { i &+= 1 }
        } else if b0 >= 0xE0 && b0 <= 0xEF {
            if i &+ 2 < end, base[i &+ 1] & 0xC0 == 0x80, base[i &+ 2] & 0xC0 == 0x80 {
                cp = (Int(b0 & 0x0F) << 12) | (Int(base[i &+ 1] & 0x3F) << 6) | Int(base[i &+ 2] & 0x3F); i &+= 3
            } else { i &+= 1 }
        } else if b0 >= 0xF0 && b0 <= 0xF4 {
            // A supplementary-plane scalar: skip its continuation bytes, count it as a separator.
            i &+= 1
            var k = 0
            while k < 3, i < end, base[i] & 0xC0 == 0x80 { i &+= 1; k &+= 1 }
        } else {
            i &+= 1
        }
        return cp
    }
}
