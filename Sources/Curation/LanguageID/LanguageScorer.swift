/// The per-text evidence the scoring pass gathers: naive-Bayes log-likelihood per language (over the grams of
/// each language's own script), and how many letters each script had.
struct LanguageEvidence {
    /// Log-likelihood of the text under each language, model order (unseen grams included).
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
        var scoreAcc = [Float](repeating: 0, count: width)
        var gramCount = [Int](repeating: 0, count: nScripts * 3)  // per script, per n
        var letters = [Int](repeating: 0, count: nScripts)
        let canon = self.canon, scriptOf = self.scriptOf
        let entries = self.entries
        let dense = self.dense

        scoreAcc.withUnsafeMutableBufferPointer { acc in
        gramCount.withUnsafeMutableBufferPointer { grams in
        letters.withUnsafeMutableBufferPointer { lettersBuf in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), end > 0 else { return }
            // The window: the last three canonical characters (c2 newest) and their scripts; 0x20 is the word
            // boundary, script 0. `len` counts how many are real (a word restarts the window at " x").
            var c0: UInt64 = 0, c1: UInt64 = 0, c2: UInt64 = 0x20
            var s0 = 0, s1 = 0, s2 = 0
            var len = 1
            var i = 0
            while i < end {
                // Decode one scalar (BMP only); anything else is a separator.
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
                    let hit: Slot
                    if n == 1 {
                        hit = unigrams[Int(truncatingIfNeeded: key & 0xFFFF)]
                        if hit.key == 0 { continue }
                    } else {
                        guard let h = slot(key) else { continue }
                        hit = h
                    }
                    if hit.end == Slot.dense, let rows = dense.baseAddress, let out = acc.baseAddress {
                        let row = UnsafeRawPointer(rows + Int(hit.start) &* width)
                        let sum = UnsafeMutableRawPointer(out)
                        var k = 0
                        while k < width {
                            let v = sum.loadUnaligned(fromByteOffset: k &* 4, as: SIMD8<Float>.self)
                                + row.loadUnaligned(fromByteOffset: k &* 4, as: SIMD8<Float>.self)
                            sum.storeBytes(of: v, toByteOffset: k &* 4, as: SIMD8<Float>.self)
                            k &+= 8
                        }
                        continue
                    }
                    var e = Int(hit.start)
                    let stop = Int(hit.end)
                    while e < stop {
                        let entry = entries[e]
                        acc[Int(entry.language)] += entry.weight
                        e &+= 1
                    }
                }
            }
        }}}

        var scores = [Double](repeating: 0, count: nLangs)
        for l in 0..<nLangs {
            let s = languageScript[l]
            var total = Double(scoreAcc[l])
            for n in 0..<3 { total += Double(gramCount[s * 3 + n]) * Double(unseen[l * 3 + n]) }
            scores[l] = total
        }
        return LanguageEvidence(scores: scores, letters: letters, bytesExamined: end)
    }
}
