import Curation
import Foundation

/// Trains a byte-level BPE vocabulary on text, in the manner of the Hugging Face `tokenizers` trainer:
/// special tokens take the first ids, then the 256 byte characters (in code point order), then one
/// token per merge, most frequent pair first.
///
/// Why it is fast: words are counted once (text -> unique pre-tokenized words with frequencies, in
/// parallel), and merging then works on the unique words only. Each pair keeps its count and the list of
/// words it occurs in; a merge rewrites just those words and adjusts the counts of the pairs around
/// each merged position, and a lazy max-heap picks the next pair.
public struct BPETrainer: Sendable {
    /// Target number of ids, special tokens and the 256 byte tokens included.
    public var vocabSize: Int
    /// Tokens given the first ids, cut out of the training text, and saved as special added tokens.
    public var specialTokens: [String]
    /// Pairs seen fewer times than this are not merged (training may then stop below `vocabSize`).
    public var minFrequency: Int
    /// How text is cut into words: `.gpt2`, or `.smollm` (digits split first).
    public var preTokenizer: PreTokenizerKind
    /// Threads for counting words.
    public var threads: Int

    public static let defaultSpecialTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

    public init(vocabSize: Int, specialTokens: [String] = BPETrainer.defaultSpecialTokens, minFrequency: Int = 2,
                preTokenizer: PreTokenizerKind = .gpt2, threads: Int = defaultThreadCount) {
        self.vocabSize = vocabSize; self.specialTokens = specialTokens; self.minFrequency = minFrequency
        self.preTokenizer = preTokenizer; self.threads = max(1, threads)
    }

    /// Trains on `texts` with the given settings; see `train(_:)`.
    public static func train<S: Sequence>(texts: S, vocabSize: Int, specialTokens: [String] = defaultSpecialTokens,
                                          minFrequency: Int = 2, preTokenizer: PreTokenizerKind = .gpt2,
                                          threads: Int = defaultThreadCount) throws -> BPETokenizer where S.Element == String {
        try BPETrainer(vocabSize: vocabSize, specialTokens: specialTokens, minFrequency: minFrequency,
                       preTokenizer: preTokenizer, threads: threads).train(texts)
    }

    /// Counts the words of `texts`, learns merges up to `vocabSize`, and returns the tokenizer.
    /// - Throws: `TokenizerError.invalidArgument` when `vocabSize` leaves no room beyond the special
    ///   tokens and the 256 bytes, or special tokens repeat or are empty.
    public func train<S: Sequence>(_ texts: S) throws -> BPETokenizer where S.Element == String {
        guard Set(specialTokens).count == specialTokens.count, !specialTokens.contains("") else {
            throw TokenizerError.invalidArgument("special tokens must be distinct and non-empty: \(specialTokens)")
        }
        guard vocabSize >= specialTokens.count + 256 else {
            throw TokenizerError.invalidArgument("vocabulary size \(vocabSize) is below \(specialTokens.count + 256) (special tokens + 256 bytes)")
        }
        let words = countWords(texts)
        return try learn(words)
    }

    // MARK: - Counting

    /// Unique words with their frequencies (in the map's values).
    func countWords<S: Sequence>(_ texts: S) -> ByteStringMap where S.Element == String {
        let special = AddedTokenMatcher(specialTokens.enumerated().map { AddedToken(id: Int32($0.offset), content: $0.element) })
        let splitter = PreTokenizer(kind: preTokenizer)
        let n = threads
        let maps = UnsafeMutableBufferPointer<ByteStringMap>.allocate(capacity: n)
        maps.initialize(repeating: ByteStringMap(capacity: 1 << 16))
        defer { maps.deinitialize(); maps.deallocate() }
        let box = MapsBox(maps: maps)

        var batch: [String] = []
        var batchBytes = 0
        func flush() {
            guard !batch.isEmpty else { return }
            let items = batch
            let per = (items.count + n - 1) / n
            DispatchQueue.concurrentPerform(iterations: n) { t in
                let lo = t * per, hi = min(items.count, lo + per)
                guard lo < hi else { return }
                for k in lo..<hi {
                    var s = items[k]
                    s.withUTF8 { buf in BPETrainer.count(buf, special: special, splitter: splitter, into: &box.maps[t]) }
                }
            }
            batch.removeAll(keepingCapacity: true)
            batchBytes = 0
        }
        for t in texts {
            batch.append(t)
            batchBytes += t.utf8.count
            if batchBytes >= (4 << 20) * n { flush() }
        }
        flush()

        // Fold the per-thread maps into the first.
        var total = maps[0]
        for t in 1..<n {
            let m = maps[t]
            m.keyBytes.withUnsafeBufferPointer { kb in
                guard let base = kb.baseAddress else { return }
                for e in 0..<m.count {
                    let o = m.keyOffsets[e], len = m.keyOffsets[e + 1] - o
                    let h = m.hashes[e]
                    let f = total.find(base + o, len, hash: h)
                    if f >= 0 { total.values[f] += m.values[e] } else { _ = total.insert(base + o, len, hash: h, value: m.values[e]) }
                }
            }
        }
        return total
    }

    static func count(_ buf: UnsafeBufferPointer<UInt8>, special: AddedTokenMatcher, splitter: PreTokenizer, into map: inout ByteStringMap) {
        guard let p = buf.baseAddress else { return }
        func words(_ s: Int, _ e: Int) {
            splitter.split(p, s, e) { ws, we in
                let h = ByteStringMap.hash(p + ws, we - ws)
                let f = map.find(p + ws, we - ws, hash: h)
                if f >= 0 { map.values[f] += 1 } else { _ = map.insert(p + ws, we - ws, hash: h, value: 1) }
            }
        }
        var pos = 0
        while pos < buf.count, let m = special.next(p, from: pos, end: buf.count) {
            if m.start > pos { words(pos, m.start) }
            pos = m.end
        }
        if pos < buf.count { words(pos, buf.count) }
    }

    // MARK: - Merging

    func learn(_ counted: ByteStringMap) throws -> BPETokenizer {
        // Ids: special tokens, then the byte characters in code point order.
        var tokens = specialTokens
        let byteOrder = (0..<256).sorted { ByteLevel.byteToScalar[$0].value < ByteLevel.byteToScalar[$1].value }
        var byteID = [Int32](repeating: 0, count: 256)
        for b in byteOrder {
            byteID[b] = Int32(tokens.count)
            tokens.append(String(Character(ByteLevel.byteToScalar[b])))
        }

        // Words in one arena; merges only shorten them, so each is rewritten in place.
        let nw = counted.count
        var start = [Int](repeating: 0, count: nw)
        var len = [Int32](repeating: 0, count: nw)
        var freq = [Int64](repeating: 0, count: nw)
        var arena = [Int32](repeating: 0, count: counted.arenaBytes)
        counted.keyBytes.withUnsafeBufferPointer { kb in
            for w in 0..<nw {
                let o = counted.keyOffsets[w], e = counted.keyOffsets[w + 1]
                start[w] = o
                len[w] = Int32(e - o)
                freq[w] = Int64(counted.values[w])
                for k in o..<e { arena[k] = byteID[Int(kb[k])] }
            }
        }

        var pairs = PairStats()
        for w in 0..<nw {
            let s = start[w], n = Int(len[w])
            if n < 2 { continue }
            for k in s..<(s + n - 1) { pairs.add(arena[k], arena[k + 1], freq[w], word: Int32(w)) }
        }
        var heap = PairHeap()
        for i in 0..<pairs.count where pairs.counts[i] > 0 { heap.push(count: pairs.counts[i], key: pairs.keys[i]) }

        var merges: [(String, String)] = []
        var touched = [Int32](repeating: -1, count: nw)  // last merge step that rewrote each word
        var pushedAt: [Int32] = []                          // per pair: last step it was queued in
        var newPairs: [Int32] = []
        let target = vocabSize
        var step: Int32 = 0
        while tokens.count < target, let top = heap.pop() {
            guard let pi = pairs.index(top.key) else { continue }
            let current = pairs.counts[pi]
            if current != top.count {
                if current > 0 { heap.push(count: current, key: top.key) }
                continue
            }
            if current < Int64(max(minFrequency, 1)) { break }
            let a = Int32(truncatingIfNeeded: top.key >> 32), b = Int32(truncatingIfNeeded: top.key & 0xFFFF_FFFF)
            let newID = Int32(tokens.count)
            tokens.append(tokens[Int(a)] + tokens[Int(b)])
            merges.append((tokens[Int(a)], tokens[Int(b)]))

            let list = pairs.words[pi]
            pairs.words[pi] = []
            newPairs.removeAll(keepingCapacity: true)
            for w32 in list {
                let w = Int(w32)
                if touched[w] == step { continue }
                touched[w] = step
                let s = start[w], n = Int(len[w])
                let f = freq[w]
                // Phase 1: find merges; take away the pairs they break.
                var i = 0, lastDec = -2, merged = false
                while i < n - 1 {
                    if arena[s + i] == a && arena[s + i + 1] == b {
                        merged = true
                        for j in (i - 1)...(i + 1) where j >= 0 && j + 1 < n && j > lastDec {
                            pairs.sub(arena[s + j], arena[s + j + 1], f)
                            lastDec = j
                        }
                        i += 2
                    } else { i += 1 }
                }
                guard merged else { continue }
                // Phase 2: rewrite in place.
                var o = 0
                i = 0
                while i < n {
                    if i < n - 1 && arena[s + i] == a && arena[s + i + 1] == b {
                        arena[s + o] = newID; i += 2
                    } else {
                        arena[s + o] = arena[s + i]; i += 1
                    }
                    o += 1
                }
                len[w] = Int32(o)
                // Phase 3: add the pairs the new symbols form.
                var lastInc = -2
                for k in 0..<o where arena[s + k] == newID {
                    for j in (k - 1)...k where j >= 0 && j + 1 < o && j > lastInc {
                        let p = pairs.add(arena[s + j], arena[s + j + 1], f, word: w32)
                        if Int(p) >= pushedAt.count { pushedAt += [Int32](repeating: -1, count: Int(p) + 1 - pushedAt.count + 1024) }
                        if pushedAt[Int(p)] != step { pushedAt[Int(p)] = step; newPairs.append(p) }
                        lastInc = j
                    }
                }
            }
            pairs.counts[pi] = 0
            for p in newPairs where pairs.counts[Int(p)] > 0 {
                heap.push(count: pairs.counts[Int(p)], key: pairs.keys[Int(p)])
            }
            step += 1
        }

        let added = specialTokens.enumerated().map { AddedToken(id: Int32($0.offset), content: $0.element, special: true) }
        return try BPETokenizer(vocabulary: tokens, merges: merges, addedTokens: added, preTokenizer: preTokenizer,
                                name: "bpe:trained-\(tokens.count)", source: "trainer")
    }
}

private final class MapsBox: @unchecked Sendable {
    let maps: UnsafeMutableBufferPointer<ByteStringMap>
    init(maps: UnsafeMutableBufferPointer<ByteStringMap>) { self.maps = maps }
}

/// Per pair: its count over all words (weighted by word frequency) and the words it occurs in
/// (may list a word twice or list words it left; checked when used).
struct PairStats {
    var slots: [Int32] = [Int32](repeating: -1, count: 1 << 16)
    var mask = (1 << 16) - 1
    var keys: [UInt64] = []
    var counts: [Int64] = []
    var words: [[Int32]] = []
    var count: Int { keys.count }

    @inline(__always) static func key(_ a: Int32, _ b: Int32) -> UInt64 { MergeTable.key(a, b) }

    @inline(__always) func index(_ k: UInt64) -> Int? {
        var s = MergeTable.slot(k, mask)
        while true {
            let e = Int(slots[s])
            if e < 0 { return nil }
            if keys[e] == k { return e }
            s = (s + 1) & mask
        }
    }

    @discardableResult @inline(__always)
    mutating func add(_ a: Int32, _ b: Int32, _ f: Int64, word: Int32) -> Int32 {
        let k = PairStats.key(a, b)
        var s = MergeTable.slot(k, mask)
        while true {
            let e = Int(slots[s])
            if e < 0 { break }
            if keys[e] == k {
                counts[e] += f
                if words[e].last != word { words[e].append(word) }
                return Int32(e)
            }
            s = (s + 1) & mask
        }
        let e = keys.count
        keys.append(k); counts.append(f); words.append([word])
        slots[s] = Int32(e)
        if keys.count * 2 > slots.count { grow() }
        return Int32(e)
    }

    @inline(__always) mutating func sub(_ a: Int32, _ b: Int32, _ f: Int64) {
        if let e = index(PairStats.key(a, b)) { counts[e] -= f }
    }

    private mutating func grow() {
        let n = slots.count * 2
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
        for (e, k) in keys.enumerated() {
            var s = MergeTable.slot(k, mask)
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(e)
        }
    }
}

/// A max-heap of (count, pair): highest count first, then the smaller pair (by ids) for determinism.
struct PairHeap {
    private var counts: [Int64] = []
    private var keys: [UInt64] = []

    @inline(__always) private func above(_ i: Int, _ j: Int) -> Bool {
        counts[i] > counts[j] || (counts[i] == counts[j] && keys[i] < keys[j])
    }
    private mutating func swap(_ i: Int, _ j: Int) { counts.swapAt(i, j); keys.swapAt(i, j) }

    mutating func push(count: Int64, key: UInt64) {
        counts.append(count); keys.append(key)
        var i = counts.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !above(i, p) { break }
            swap(i, p); i = p
        }
    }

    mutating func pop() -> (count: Int64, key: UInt64)? {
        guard !counts.isEmpty else { return nil }
        let top = (counts[0], keys[0])
        let last = counts.count - 1
        swap(0, last)
        counts.removeLast(); keys.removeLast()
        var i = 0
        let n = counts.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && above(l, m) { m = l }
            if r < n && above(r, m) { m = r }
            if m == i { break }
            swap(m, i); i = m
        }
        return top
    }
}
