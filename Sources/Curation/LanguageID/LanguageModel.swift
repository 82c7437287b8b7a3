import Foundation

/// Why the language model could not be loaded. The model ships inside the package, so any of these is a
/// build problem (a hand-edited or truncated `LanguageModelData.swift`), reported instead of trapping.
public enum LanguageModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The embedded base64 text does not decode.
    case notBase64
    /// The bytes are not a model this code reads: wrong magic, version, or a section past the end.
    case malformed(String)

    public var description: String {
        switch self {
        case .notBase64: return "language model: the embedded data is not base64"
        case .malformed(let why): return "language model: \(why)"
        }
    }
}

/// The character n-gram naive-Bayes model, decoded once per process (see `shared`) from the bytes that
/// `Fixtures/langid/build_model.py` generates: langdetect's per-language 1-3-gram profiles, the character
/// normalisation they were counted with, and each character's script.
///
/// The tables live in memory this object owns and never frees (one model per process), so the scoring
/// loop reads them through unsafe buffer pointers: no bounds checks, no reference counting per gram.
final class LanguageModel: @unchecked Sendable {
    /// ISO 639-1 codes, in model order.
    let languages: [String]
    /// Script id of each language.
    let languageScript: [Int]
    /// Script names by id (0 is "none").
    let scriptNames: [String]
    /// Language indices by script id: the candidates when that script dominates a text.
    let candidatesByScript: [[Int]]

    /// BMP scalar -> canonical character (0: separator).
    let canon: UnsafeBufferPointer<UInt16>
    /// Canonical character -> script id.
    let scriptOf: UnsafeBufferPointer<UInt8>
    /// One slot of the open-addressing gram table: the key (0: empty) and the gram's entries, side by side so
    /// that a lookup costs one cache miss, not one for the key and another for the entry range.
    struct Slot {
        var key: UInt64
        var start: UInt32
        var end: UInt32
        /// `end` at or above this marks a dense row: `start` is the row's first float in `dense`, bits 8-15 of
        /// `end` the first SIMD8 block of the score vector it adds to, bits 0-7 the number of blocks. (Entry
        /// indices stay below 2^28, the loader's limit, so a sparse `end` never reaches it.)
        static let denseFlag: UInt32 = 0xFF00_0000
        /// `end` in [singleFlag, denseFlag) marks a gram one language alone lists (three grams in four): its one
        /// entry lives in the slot itself, `start` the weight's bit pattern and the low 16 bits of `end` the
        /// language's position, so the lookup costs no second cache miss for an entry.
        static let singleFlag: UInt32 = 0xFE00_0000
    }
    /// One (language, weight) pair of a gram, packed so that a gram's entries are one contiguous run.
    struct Entry {
        var weight: Float
        var language: UInt32
    }
    let slots: UnsafeBufferPointer<Slot>
    let slotShift: UInt64
    let slotMask: Int
    /// Entries of the gram in a slot: entries[slot.start ..< slot.end]; an entry's `language` is the language's
    /// position (see `position`), not its index.
    let entries: UnsafeBufferPointer<Entry>
    /// Where each language's score lives in the scoring loop's vector: languages grouped by script (in model
    /// order within a script), so that the common grams of a script, which only its languages list, add a row
    /// only as wide as the script's few SIMD8 blocks (4 for the 30 Latin languages, 1 for Cyrillic, Arabic or
    /// Devanagari) instead of all 54 languages.
    let position: [Int]
    /// Per script id: true when at most one language writes it. Such a script decides by itself (see
    /// `LanguageID.decide`), so the scoring loop counts its letters and grams but looks none of them up.
    let soleScript: UnsafeBufferPointer<Bool>
    /// Per language, per n (1...3): log-probability of an n-gram its profile does not list.
    let unseen: UnsafeBufferPointer<Float>
    /// Grams listed by many languages (the common letters and pairs of a script, which most text is made
    /// of) keep their weights as a dense row over the SIMD8 blocks of positions their languages span, 0 for the
    /// languages that do not list them: the scoring loop adds a row with a few vector adds instead of scattering
    /// each entry. Adding 0 leaves a sum unchanged, so the scores are bit-identical to the scattered ones. Such a
    /// gram's slot has `end >= Slot.denseFlag` (see there).
    let dense: UnsafeBufferPointer<Float>
    /// Single-letter grams by canonical character (key 0: not listed): a letter's own gram is read without
    /// hashing, from a table whose used part stays in cache.
    let unigrams: UnsafeBufferPointer<Slot>
    /// Languages rounded up to a multiple of 8 (one SIMD8 per 8 languages).
    let denseWidth: Int
    /// A gram with at least this many entries gets a dense row.
    static let denseMinEntries = 5
    /// Per language, `priorWeight * ln(speakers in millions)`, added to its log-likelihood: the prior probability
    /// that a text is in that language, so a rarely-used language that writes like a common one (Catalan beside
    /// Spanish, Macedonian beside Bulgarian) needs more evidence. Only differences between languages of one script
    /// matter (the others are not candidates), so the unit cancels.
    let logPrior: [Double]

    /// Weight of the log prior: a tempered prior, since the naive-Bayes likelihood counts correlated grams as if
    /// independent and a full-weight prior would overrule a short text's evidence. Chosen on the DEVELOPMENT set
    /// Fixtures/langid/dev.jsonl (Fixtures/langid/make_dev.py: other Debian catalogs than the held-out set's),
    /// never on heldout.jsonl, by a grid over {0, 0.5, 1, 1.5} jointly with the gram-order weights of
    /// Fixtures/langid/build_model.py: 0.5 had the best overall sentence accuracy there; 1 and above cost Catalan
    /// and Macedonian more than they gave Spanish and Bulgarian (Fixtures/README.md).
    static let priorWeight = 0.5

    /// Total speakers (first and second language), in millions: Ethnologue's figures (2019, 22nd edition) as
    /// Wikipedia's "List of languages by total number of speakers" gives them, and for the languages below its
    /// cut-off the languages' own Wikipedia articles; rounded. Approximate by nature: with `priorWeight` 0.5, a
    /// figure off by a factor of two moves a score by 0.35 nats. Languages missing here count as 1 million.
    static let speakersMillions: [String: Double] = [
        "en": 1268, "zh": 1120, "hi": 637, "es": 538, "fr": 277, "ar": 274, "bn": 265, "ru": 258, "pt": 252,
        "id": 199, "ur": 171, "de": 132, "ja": 128, "sw": 98, "mr": 95, "te": 93, "tr": 85, "tl": 82, "ta": 81,
        "vi": 77, "ko": 77, "fa": 77, "it": 68, "gu": 61, "th": 61, "kn": 56, "pa": 50, "pl": 40, "ml": 38,
        "uk": 33, "nl": 28, "ne": 25, "ro": 24, "so": 22, "af": 17.5, "el": 13, "hu": 13, "sv": 13, "cs": 11,
        "he": 9, "ca": 9, "bg": 8, "sq": 7.5, "da": 6, "fi": 5.8, "hr": 5.6, "no": 5.3, "sk": 5.2, "lt": 3,
        "sl": 2.5, "lv": 2, "mk": 2, "et": 1.2, "cy": 0.9,
    ]

    /// Decoded once, on first use, by whichever thread gets there first (Swift's lazy global statics are
    /// initialised exactly once, thread-safely).
    static let shared: Result<LanguageModel, LanguageModelError> = {
        guard let data = Data(base64Encoded: LanguageModelData.base64, options: .ignoreUnknownCharacters) else {
            return .failure(.notBase64)
        }
        return Result { try LanguageModel(bytes: [UInt8](data)) }.mapError { $0 as? LanguageModelError ?? .malformed("\($0)") }
    }()

    init(bytes: [UInt8]) throws {
        var r = ModelBytes(bytes: bytes)
        guard try r.take(4) == Array("CLID".utf8) else { throw LanguageModelError.malformed("bad magic") }
        let version = try r.u32()
        guard version == 1 else { throw LanguageModelError.malformed("version \(version), this code reads 1") }
        let nLangs = Int(try r.u32()), nScripts = Int(try r.u32()), nGrams = Int(try r.u32()), nEntries = Int(try r.u32())
        _ = try r.f32()  // the unseen-gram probability, also in `unseen`
        guard (1...255).contains(nLangs), (1...255).contains(nScripts), nGrams > 0, nEntries > 0,
              nGrams < 1 << 26, nEntries < 1 << 28 else {
            throw LanguageModelError.malformed("implausible sizes: \(nLangs) languages, \(nScripts) scripts, \(nGrams) grams")
        }
        var langs: [String] = []
        for _ in 0..<nLangs { langs.append(String(decoding: try r.take(8).prefix { $0 != 0 }, as: UTF8.self)) }
        let langScript = try r.take(nLangs).map(Int.init)
        var scripts: [String] = []
        for _ in 0..<nScripts { scripts.append(String(decoding: try r.take(16).prefix { $0 != 0 }, as: UTF8.self)) }
        guard langScript.allSatisfy({ $0 < nScripts }) else { throw LanguageModelError.malformed("language script out of range") }
        let canon = try r.array(UInt16.self, 65536)
        let scriptOf = try r.array(UInt8.self, 65536)
        guard scriptOf.allSatisfy({ Int($0) < nScripts }) else { throw LanguageModelError.malformed("character script out of range") }
        let keys = try r.array(UInt64.self, nGrams)
        let starts = try r.array(UInt32.self, nGrams + 1)
        let entryLangs = try r.array(UInt8.self, nEntries)
        let weights = try r.array(Float.self, nEntries)
        let unseen = try r.array(Float.self, nLangs * 3)
        guard r.atEnd else { throw LanguageModelError.malformed("trailing bytes") }
        // Every index the scoring loop follows is checked here, once, so the loop itself need not.
        guard starts.first == 0, starts.last == UInt32(nEntries), zip(starts, starts.dropFirst()).allSatisfy({ $0 <= $1 }),
              entryLangs.allSatisfy({ Int($0) < nLangs }), keys.allSatisfy({ $0 != 0 }),
              zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw LanguageModelError.malformed("inconsistent gram table")
        }

        languages = langs
        languageScript = langScript
        scriptNames = scripts
        var byScript = [[Int]](repeating: [], count: nScripts)
        for (i, s) in langScript.enumerated() { byScript[s].append(i) }
        candidatesByScript = byScript
        soleScript = Self.own(byScript.map { $0.count <= 1 })
        logPrior = langs.map { Self.priorWeight * Foundation.log(Self.speakersMillions[$0] ?? 1) }

        // Hash table at most half full, so probes stay short and always reach an empty slot.
        var bits = 1
        while (1 << bits) < nGrams * 2 { bits += 1 }
        let capacity = 1 << bits
        let table = UnsafeMutableBufferPointer<Slot>.allocate(capacity: capacity)
        table.initialize(repeating: Slot(key: 0, start: 0, end: 0))
        let shift = UInt64(64 - bits), mask = capacity - 1
        let width = (nLangs + 7) / 8 * 8
        var pos = [Int](repeating: 0, count: nLangs)
        for (p, l) in (0..<nLangs).sorted(by: { (langScript[$0], $0) < (langScript[$1], $1) }).enumerated() { pos[l] = p }
        var rows: [Float] = []
        for (g, key) in keys.enumerated() {
            var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while table[i].key != 0 { i = (i &+ 1) & mask }
            let (a, b) = (Int(starts[g]), Int(starts[g + 1]))
            if b - a >= Self.denseMinEntries {
                let at = (a..<b).map { pos[Int(entryLangs[$0])] }
                let first = (at.min() ?? 0) / 8, blocks = ((at.max() ?? 0) / 8) - first + 1
                let row = rows.count
                guard row <= Int(UInt32.max) else { throw LanguageModelError.malformed("dense rows too large") }
                rows += [Float](repeating: 0, count: blocks * 8)
                for (e, p) in zip(a..<b, at) { rows[row + p - first * 8] += weights[e] }
                table[i] = Slot(key: key, start: UInt32(row), end: Slot.denseFlag | UInt32(first) << 8 | UInt32(blocks))
            } else if b - a == 1 {
                table[i] = Slot(key: key, start: weights[a].bitPattern, end: Slot.singleFlag | UInt32(pos[Int(entryLangs[a])]))
            } else {
                table[i] = Slot(key: key, start: starts[g], end: starts[g + 1])
            }
        }
        denseWidth = width
        dense = Self.ownAligned(rows)
        var uni = [Slot](repeating: Slot(key: 0, start: 0, end: 0), count: 65536)
        for i in 0..<capacity where table[i].key != 0 && table[i].key < 65536 { uni[Int(table[i].key)] = table[i] }
        unigrams = Self.own(uni)
        slots = UnsafeBufferPointer(table)
        slotShift = shift
        slotMask = mask
        self.canon = Self.own(canon)
        self.scriptOf = Self.own(scriptOf)
        entries = Self.own(zip(entryLangs, weights).map { Entry(weight: $0.1, language: UInt32(pos[Int($0.0)])) })
        position = pos
        self.unseen = Self.own(unseen)
    }

    /// A copy of `array` in 32-byte aligned memory this model owns for the life of the process (rows are
    /// read as SIMD8 vectors).
    private static func ownAligned(_ array: [Float]) -> UnsafeBufferPointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, array.count) * MemoryLayout<Float>.stride, alignment: 32)
        let p = raw.bindMemory(to: Float.self, capacity: max(1, array.count))
        array.withUnsafeBufferPointer { src in if let b = src.baseAddress { p.initialize(from: b, count: array.count) } }
        return UnsafeBufferPointer(start: p, count: array.count)
    }

    /// A copy of `array` in memory this model owns for the life of the process.
    private static func own<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
        let p = UnsafeMutableBufferPointer<T>.allocate(capacity: array.count)
        _ = p.initialize(from: array)
        return UnsafeBufferPointer(p)
    }

    deinit {
        for p in [UnsafeRawPointer(slots.baseAddress), UnsafeRawPointer(canon.baseAddress), UnsafeRawPointer(scriptOf.baseAddress),
                  UnsafeRawPointer(entries.baseAddress), UnsafeRawPointer(unseen.baseAddress), UnsafeRawPointer(dense.baseAddress),
                  UnsafeRawPointer(unigrams.baseAddress), UnsafeRawPointer(soleScript.baseAddress)] {
            if let p { UnsafeMutableRawPointer(mutating: p).deallocate() }
        }
    }

    /// The slot of a gram key, or nil when no language lists the gram.
    @inline(__always) func slot(_ key: UInt64) -> Slot? {
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> slotShift)
        while true {
            let s = slots[i]
            if s.key == key { return s }
            if s.key == 0 { return nil }
            i = (i &+ 1) & slotMask
        }
    }
}

/// Little-endian reads over a model's bytes (the character and the word model); every read is bounds-checked
/// and throws past the end.
struct ModelBytes {
    let bytes: [UInt8]
    var offset = 0

    var atEnd: Bool { offset == bytes.count }

    mutating func take(_ n: Int) throws -> [UInt8] {
        guard n >= 0, n <= bytes.count - offset else { throw LanguageModelError.malformed("truncated at byte \(offset)") }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    mutating func u32() throws -> UInt32 { try array(UInt32.self, 1)[0] }
    mutating func f32() throws -> Float { try array(Float.self, 1)[0] }

    /// `count` values of a fixed-width type, copied as they lie: the model is written little-endian, as are
    /// the platforms this package builds for (x86-64, arm64).
    mutating func array<T>(_: T.Type, _ count: Int) throws -> [T] {
        let size = MemoryLayout<T>.stride
        let (total, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, total <= bytes.count - offset else { throw LanguageModelError.malformed("truncated at byte \(offset)") }
        let start = offset
        offset += total
        return [T](unsafeUninitializedCapacity: count) { buf, n in
            bytes.withUnsafeBytes { raw in
                let src = UnsafeRawBufferPointer(rebasing: raw[start..<start + total])
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: src)
            }
            n = count
        }
    }
}
