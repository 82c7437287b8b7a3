import Foundation

/// Word frequencies of the languages that share a script with another (wordfreq's lists, built by
/// `Fixtures/langid/build_words.py`): the second opinion `LanguageID.decide` asks for when the character model
/// leaves two close languages near each other.
///
/// Why a second model: langdetect's 1-3-grams see a short sentence's letters, and Bulgarian and Macedonian,
/// Spanish and Catalan or Portuguese write most of the same letter triples; their words differ ("четене" /
/// "читање", "salida" / "sortida"). Words are looked up by a 64-bit hash of their canonical characters (the
/// character model's normalisation, so both models see the same letters).
final class LanguageWordModel: @unchecked Sendable {
    /// One slot of the open-addressing table: a word's key (0: empty) and its entries' range.
    struct Slot {
        var key: UInt64
        var start: UInt32
        var end: UInt32
    }
    /// One (language, log-frequency) pair; `language` indexes the character model's languages.
    struct Entry {
        var logFrequency: Float
        var language: UInt32
    }

    let slots: UnsafeBufferPointer<Slot>
    let slotShift: UInt64
    let slotMask: Int
    let entries: UnsafeBufferPointer<Entry>
    /// Per character-model language: true when this model lists its words.
    let covers: [Bool]
    /// Natural log of the probability of a word a language's list does not hold (the same for every language,
    /// since every list is cut at the same frequency).
    let unseenLogFrequency: Double

    /// Decoded once per process, on first use, against the character model's language list.
    static let shared: Result<LanguageWordModel, LanguageModelError> = {
        guard case .success(let model) = LanguageModel.shared else { return .failure(.malformed("no character model")) }
        guard let data = Data(base64Encoded: LanguageWordData.base64, options: .ignoreUnknownCharacters) else {
            return .failure(.notBase64)
        }
        return Result { try LanguageWordModel(bytes: [UInt8](data), languages: model.languages) }
            .mapError { $0 as? LanguageModelError ?? .malformed("\($0)") }
    }()

    init(bytes: [UInt8], languages: [String]) throws {
        var r = ModelBytes(bytes: bytes)
        guard try r.take(4) == Array("CLWD".utf8) else { throw LanguageModelError.malformed("word model: bad magic") }
        let version = try r.u32()
        guard version == 1 else { throw LanguageModelError.malformed("word model: version \(version), this code reads 1") }
        let nLangs = Int(try r.u32()), nKeys = Int(try r.u32()), nEntries = Int(try r.u32())
        let unseen = try r.f32()
        guard (1...255).contains(nLangs), nKeys > 0, nEntries >= nKeys, nKeys < 1 << 26, nEntries < 1 << 28,
              unseen.isFinite, unseen < 0 else {
            throw LanguageModelError.malformed("word model: implausible sizes")
        }
        var index: [Int] = []
        for _ in 0..<nLangs {
            let code = String(decoding: try r.take(8).prefix { $0 != 0 }, as: UTF8.self)
            guard let i = languages.firstIndex(of: code) else {
                throw LanguageModelError.malformed("word model: language \(code) is not in the character model")
            }
            index.append(i)
        }
        let keys = try r.array(UInt64.self, nKeys)
        let starts = try r.array(UInt32.self, nKeys + 1)
        let entryLangs = try r.array(UInt8.self, nEntries)
        let logFrequencies = try r.array(Float.self, nEntries)
        guard r.atEnd else { throw LanguageModelError.malformed("word model: trailing bytes") }
        guard starts.first == 0, starts.last == UInt32(nEntries), zip(starts, starts.dropFirst()).allSatisfy({ $0 < $1 }),
              entryLangs.allSatisfy({ Int($0) < nLangs }), keys.allSatisfy({ $0 != 0 }),
              zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }), logFrequencies.allSatisfy({ $0.isFinite && $0 <= 0 }) else {
            throw LanguageModelError.malformed("word model: inconsistent word table")
        }

        var bits = 1
        while (1 << bits) < nKeys * 2 { bits += 1 }
        let capacity = 1 << bits
        let table = UnsafeMutableBufferPointer<Slot>.allocate(capacity: capacity)
        table.initialize(repeating: Slot(key: 0, start: 0, end: 0))
        let shift = UInt64(64 - bits), mask = capacity - 1
        for (k, key) in keys.enumerated() {
            var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while table[i].key != 0 { i = (i &+ 1) & mask }
            table[i] = Slot(key: key, start: starts[k], end: starts[k + 1])
        }
        slots = UnsafeBufferPointer(table)
        slotShift = shift
        slotMask = mask
        let owned = UnsafeMutableBufferPointer<Entry>.allocate(capacity: nEntries)
        _ = owned.initialize(from: zip(entryLangs, logFrequencies).map { Entry(logFrequency: $0.1, language: UInt32(index[Int($0.0)])) })
        entries = UnsafeBufferPointer(owned)
        var covered = [Bool](repeating: false, count: languages.count)
        for i in index { covered[i] = true }
        covers = covered
        unseenLogFrequency = Double(unseen)
    }

    deinit {
        UnsafeMutableRawPointer(mutating: slots.baseAddress)?.deallocate()
        UnsafeMutableRawPointer(mutating: entries.baseAddress)?.deallocate()
    }

    /// FNV-1a over canonical characters, as the builder hashes a word (never 0: 0 marks an empty slot).
    @inline(__always) static func step(_ hash: UInt64, _ c: UInt64) -> UInt64 { (hash ^ c) &* 0x100_0000_01B3 }
    static let seed: UInt64 = 0xCBF2_9CE4_8422_2325

    /// The entries of a word key (empty when no list holds the word).
    @inline(__always) func lookup(_ key: UInt64) -> Range<Int> {
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> slotShift)
        while true {
            let s = slots[i]
            if s.key == key { return Int(s.start)..<Int(s.end) }
            if s.key == 0 { return 0..<0 }
            i = (i &+ 1) & slotMask
        }
    }

    /// Sum over the words of `bytes` written wholly in `script` of each language's log word frequency, for the
    /// character-model languages in `languages` (one sum each, in that order); a word a language's list lacks
    /// costs it `unseenLogFrequency`. Reads at most `maxBytes`; invalid UTF-8 separates words, as in
    /// `LanguageModel.score`.
    ///
    /// Two loops, as the character model's `addBatch`: the first hashes every word, the second loads all their
    /// home slots before any is probed, so that the table's cache misses (it is larger than L2) overlap.
    func logLikelihoods(utf8 bytes: UnsafeRawBufferPointer, maxBytes: Int, script: Int,
                        languages: [Int], characters model: LanguageModel) -> [Double] {
        var sums = [Double](repeating: 0, count: languages.count)
        let end = min(bytes.count, max(0, maxBytes))
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), end > 0,
              let table = slots.baseAddress, let entryBase = entries.baseAddress else { return sums }
        let canon = model.canon, scriptOf = model.scriptOf
        let nLangs = model.languages.count
        // A word takes at least one letter and one separator, so `end / 2 + 1` keys always fit.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: end / 2 + 1) { keyBuffer in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: nLangs) { slotOfLanguage in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: languages.count) { hits in
            guard let keys = keyBuffer.baseAddress, let slotOf = slotOfLanguage.baseAddress,
                  let hit = hits.baseAddress else { return }
            var words = 0
            var hash = Self.seed, length = 0, inScript = true
            var i = 0
            while i <= end {
                let cp = i < end ? UTF8Scalar.decode(base, &i, end) : -1
                let c = cp >= 0 && cp < 0x10000 ? UInt64(canon[cp]) : 0
                if c == 0 {
                    if length > 0 && inScript && words < end / 2 + 1 {
                        keys[words] = hash == 0 ? 1 : hash
                        words &+= 1
                    }
                    hash = Self.seed; length = 0; inScript = true
                    if i >= end { break }
                    continue
                }
                if Int(scriptOf[Int(c)]) != script { inScript = false }
                hash = Self.step(hash, c)
                length &+= 1
            }
            slotOf.initialize(repeating: -1, count: nLangs)
            for (k, l) in languages.enumerated() where l >= 0 && l < nLangs { slotOf[l] = k }
            withUnsafeTemporaryAllocation(of: Slot.self, capacity: max(1, words)) { homeBuffer in
                guard let home = homeBuffer.baseAddress else { return }
                let shift = slotShift
                for w in 0..<words {
                    (home + w).initialize(to: table[Int(truncatingIfNeeded: (keys[w] &* 0x9E37_79B9_7F4A_7C15) >> shift)])
                }
                for w in 0..<words {
                    let key = keys[w]
                    var s = home[w]
                    if s.key != key && s.key != 0 {
                        var j = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
                        repeat {
                            j = (j &+ 1) & slotMask
                            s = table[j]
                        } while s.key != key && s.key != 0
                    }
                    var found = 0
                    if s.key == key {
                        var e = Int(s.start)
                        while e < Int(s.end) {
                            let entry = entryBase[e]
                            let k = slotOf[Int(entry.language)]
                            // `found < count`: a hand-edited model listing one language twice for a word must not
                            // write past `hit` (the builder writes each language once per word).
                            if k >= 0 && found < languages.count {
                                sums[k] += Double(entry.logFrequency)
                                hit[found] = k
                                found &+= 1
                            }
                            e &+= 1
                        }
                    }
                    // Every asked language the word's entries did not name pays the unseen cost.
                    if found < languages.count {
                        for k in 0..<languages.count {
                            var named = false
                            for f in 0..<found where hit[f] == k { named = true; break }
                            if !named { sums[k] += unseenLogFrequency }
                        }
                    }
                }
            }
        }}}
        return sums
    }
}
