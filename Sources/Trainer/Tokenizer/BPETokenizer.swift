import Foundation

/// Which tokens play the roles a trainer and a chat template need.
public struct SpecialTokenRoles: Sendable, Hashable {
    public var bos: Int32?
    public var eos: Int32?
    public var pad: Int32?
    public var unk: Int32?
    public init(bos: Int32? = nil, eos: Int32? = nil, pad: Int32? = nil, unk: Int32? = nil) {
        self.bos = bos; self.eos = eos; self.pad = pad; self.unk = unk
    }
}

/// A byte-level BPE tokenizer (GPT-2, SmolLM2, Llama-style `tokenizer.json` files with a ByteLevel
/// pre-tokenizer), giving the same ids as the Hugging Face `tokenizers` library.
///
/// Encoding: added tokens are cut out of the text first and become their ids; the rest is split into
/// words by the pre-tokenizer; each word's bytes are mapped to GPT-2's byte alphabet and merged by rank.
/// Word results are cached (per concurrent caller, bounded), so repeated words cost one hash lookup.
///
/// The class is immutable after construction and safe to share between threads.
public final class BPETokenizer: @unchecked Sendable {
    /// Token strings by id (byte-level alphabet for BPE tokens; the content for added tokens).
    public let tokens: [String]
    /// The added tokens (special and user-defined), matched verbatim in text.
    public let addedTokens: [AddedToken]
    public let preTokenizer: PreTokenizerKind
    /// `ByteLevel.add_prefix_space`: a space is put before text that does not start with one.
    public let addPrefixSpace: Bool
    /// `BPE.ignore_merges`: a word that is itself a token is not merged step by step.
    public let ignoreMerges: Bool
    /// Token roles (from `tokenizer_config.json`, a GGUF header, or set by the caller).
    public let roles: SpecialTokenRoles
    /// The checkpoint's `chat_template` source, when it was loaded with one (for template detection).
    public let chatTemplateSource: String?
    /// A short description for reports ("bpe:smollm2").
    public let name: String

    @usableFromInline let tokenToID: [String: Int32]
    @usableFromInline let byteToID: [Int32]
    @usableFromInline let merges: MergeTable
    @usableFromInline let matcher: AddedTokenMatcher
    @usableFromInline let splitter: PreTokenizer
    /// Decoded bytes per id: `tokenBytes[tokenOffsets[i]..<tokenOffsets[i+1]]`.
    @usableFromInline let tokenOffsets: [Int32]
    @usableFromInline let tokenBytes: [UInt8]
    @usableFromInline let isSpecial: [Bool]
    /// Whole-word lookup (decoded bytes -> id) for `ignoreMerges`.
    @usableFromInline let wordToID: ByteStringMap?

    private let poolLock = NSLock()
    private var cachePool: [WordCache] = []

    /// Number of ids: one past the largest id (vocabulary and added tokens).
    public var vocabSize: Int { tokens.count }

    /// Builds a tokenizer from its parts. This is what the `tokenizer.json` loader and the GGUF importer call.
    ///
    /// - Parameters:
    ///   - vocabulary: token strings in GPT-2's byte alphabet, indexed by id. Ids of added tokens beyond the
    ///     end extend it; empty strings mark unused ids.
    ///   - merges: pairs of token strings in rank order (first = applied first).
    ///   - addedTokens: tokens matched verbatim in the text before pre-tokenization.
    ///   - preTokenizer: `.gpt2`, or `.smollm` (digits split off first).
    /// - Throws: `TokenizerError.malformed` when a merge names a token that is not in the vocabulary
    ///   or an id is out of range.
    public init(vocabulary: [String], merges mergePairs: [(String, String)], addedTokens: [AddedToken],
                preTokenizer: PreTokenizerKind, addPrefixSpace: Bool = false, ignoreMerges: Bool = false,
                roles: SpecialTokenRoles = SpecialTokenRoles(), chatTemplateSource: String? = nil,
                name: String = "bpe", source: String = "tokenizer") throws {
        var toks = vocabulary
        for a in addedTokens {
            guard a.id >= 0 && Int(a.id) < 1 << 24 else {
                throw TokenizerError.malformed(file: source, reason: "added token \"\(a.content)\" has invalid id \(a.id)")
            }
            if Int(a.id) >= toks.count { toks += [String](repeating: "", count: Int(a.id) + 1 - toks.count) }
            toks[Int(a.id)] = a.content
        }
        var map = [String: Int32](minimumCapacity: toks.count)
        for (i, t) in toks.enumerated() where !t.isEmpty {
            if map[t] == nil { map[t] = Int32(i) }
        }
        // Added tokens win over vocabulary entries of the same string.
        for a in addedTokens { map[a.content] = a.id }

        var special = [Bool](repeating: false, count: toks.count)
        for a in addedTokens where a.special { special[Int(a.id)] = true }
        let addedIDs = Set(addedTokens.map(\.id))

        var offsets: [Int32] = [0]
        offsets.reserveCapacity(toks.count + 1)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(toks.count * 6)
        for (i, t) in toks.enumerated() {
            if addedIDs.contains(Int32(i)) {
                bytes.append(contentsOf: t.utf8)
            } else if let b = ByteLevel.decode(t) {
                bytes.append(contentsOf: b)
            } else {
                bytes.append(contentsOf: t.utf8)  // not a byte-level token: its text as is
            }
            offsets.append(Int32(bytes.count))
        }

        var b2id = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            if let id = map[String(Character(ByteLevel.byteToScalar[b]))] { b2id[b] = id }
        }
        // A byte without a token (SmolLM2 lacks a few control bytes) is dropped when encoding, as the
        // reference does for a BPE without an unknown token.

        var table = MergeTable(expected: mergePairs.count)
        for (rank, (a, b)) in mergePairs.enumerated() {
            guard let ia = map[a], let ib = map[b] else {
                throw TokenizerError.malformed(file: source, reason: "merge \(rank) (\"\(a) \(b)\") uses a token that is not in the vocabulary")
            }
            guard let im = map[a + b] else {
                throw TokenizerError.malformed(file: source, reason: "merge \(rank) (\"\(a) \(b)\") makes \"\(a + b)\", which is not in the vocabulary")
            }
            _ = table.append(ia, ib, merged: im)
        }

        if ignoreMerges {
            var w = ByteStringMap(capacity: toks.count)
            for i in 0..<toks.count where !addedIDs.contains(Int32(i)) && !toks[i].isEmpty {
                let s = Int(offsets[i]), e = Int(offsets[i + 1])
                bytes.withUnsafeBufferPointer { bp in
                    guard let base = bp.baseAddress, e > s else { return }
                    let h = ByteStringMap.hash(base + s, e - s)
                    if w.find(base + s, e - s, hash: h) < 0 { _ = w.insert(base + s, e - s, hash: h, value: UInt64(i)) }
                }
            }
            wordToID = w
        } else {
            wordToID = nil
        }

        self.tokens = toks
        self.addedTokens = addedTokens
        self.preTokenizer = preTokenizer
        self.addPrefixSpace = addPrefixSpace
        self.ignoreMerges = ignoreMerges
        self.roles = roles
        self.chatTemplateSource = chatTemplateSource
        self.name = name
        self.tokenToID = map
        self.byteToID = b2id
        self.merges = table
        self.matcher = AddedTokenMatcher(addedTokens)
        self.splitter = PreTokenizer(kind: preTokenizer)
        self.tokenOffsets = offsets
        self.tokenBytes = bytes
        self.isSpecial = special
    }

    // MARK: - Lookup

    /// The id of a token string (byte-level form for BPE tokens, e.g. "Ġthe"; content for added tokens).
    public func id(of token: String) -> Int32? { tokenToID[token] }

    /// The token string of an id, or nil when out of range.
    public func token(of id: Int32) -> String? {
        guard id >= 0 && Int(id) < tokens.count else { return nil }
        return tokens[Int(id)]
    }

    /// The id of a special (or other added) token by its content, e.g. `<|im_end|>`.
    public func specialTokenID(_ content: String) -> Int32? {
        addedTokens.first { $0.content == content }?.id
    }

    /// Whether `id` is a special token (skipped by `decode(_:skipSpecialTokens: true)`).
    public func isSpecialToken(_ id: Int32) -> Bool {
        id >= 0 && Int(id) < isSpecial.count && isSpecial[Int(id)]
    }

    /// The merges in rank order, as token strings.
    public var mergePairs: [(String, String)] {
        merges.ordered.map { (tokens[Int($0.left)], tokens[Int($0.right)]) }
    }

    /// Number of bytes a token decodes to (0 for an invalid id).
    public func byteLength(of id: Int32) -> Int {
        guard id >= 0 && Int(id) < tokens.count else { return 0 }
        return Int(tokenOffsets[Int(id) + 1] - tokenOffsets[Int(id)])
    }

    // MARK: - Decode

    /// The text of `ids`. Byte sequences that are not valid UTF-8 (a token sequence cut inside a
    /// character) become U+FFFD, as in the reference. Ids out of range are skipped.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        String(decoding: decodeBytes(ids, skipSpecialTokens: skipSpecialTokens), as: UTF8.self)
    }

    /// The raw bytes of `ids` (for streaming output that may end inside a character).
    public func decodeBytes(_ ids: [Int32], skipSpecialTokens: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 4)
        tokenBytes.withUnsafeBufferPointer { tb in
            tokenOffsets.withUnsafeBufferPointer { to in
                for id in ids {
                    guard id >= 0 && Int(id) < tokens.count else { continue }
                    if skipSpecialTokens && isSpecial[Int(id)] { continue }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: tb[Int(to[Int(id)])..<Int(to[Int(id) + 1])]))
                }
            }
        }
        return out
    }

    // MARK: - Encode

    /// The ids of `text`. With `parseSpecialTokens` (the default, as in the reference), added tokens
    /// written in the text become their ids; without, the text is tokenized literally (for untrusted
    /// content that must not inject control tokens).
    public func encode(_ text: String, parseSpecialTokens: Bool = true) -> [Int32] {
        var out: [Int32] = []
        var t = text
        t.withUTF8 { buf in encode(utf8: buf, parseSpecialTokens: parseSpecialTokens, into: &out) }
        return out
    }

    /// Encodes valid UTF-8 bytes, appending ids to `out`.
    public func encode(utf8 buf: UnsafeBufferPointer<UInt8>, parseSpecialTokens: Bool = true, into out: inout [Int32]) {
        guard let p = buf.baseAddress, buf.count > 0 else { return }
        out.reserveCapacity(out.count + buf.count / 3 + 4)
        let cache = checkOutCache()
        defer { checkInCache(cache) }
        var pos = 0
        let end = buf.count
        if parseSpecialTokens && !matcher.isEmpty {
            while pos < end, let m = matcher.next(p, from: pos, end: end) {
                if m.start > pos { encodeSegment(p, pos, m.start, cache, &out) }
                out.append(matcher.tokens[m.token].id)
                pos = m.end
            }
        }
        if pos < end { encodeSegment(p, pos, end, cache, &out) }
    }

    /// Ids of `text` with the byte offset where each token starts (for chat-template masks). Offsets
    /// are the running sum of token byte lengths: exact unless an added token strips white space
    /// (`lstrip`/`rstrip`) or `addPrefixSpace` inserts spaces, where they can be off by those bytes.
    public func encodeWithOffsets(_ text: String, parseSpecialTokens: Bool = true) -> (ids: [Int32], offsets: [Int]) {
        let ids = encode(text, parseSpecialTokens: parseSpecialTokens)
        var offsets: [Int] = []
        offsets.reserveCapacity(ids.count)
        var o = addPrefixSpace ? -1 : 0  // a prepended space is not in the text
        for id in ids {
            offsets.append(max(o, 0))
            o += byteLength(of: id)
        }
        return (ids, offsets)
    }

    /// Pre-tokenizes and merges one stretch of text without added tokens.
    @inline(__always)
    func encodeSegment(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ cache: WordCache, _ out: inout [Int32]) {
        if addPrefixSpace && p[s] != 0x20 {
            var tmp = [UInt8](repeating: 0x20, count: e - s + 1)
            for k in 0..<(e - s) { tmp[k + 1] = p[s + k] }
            tmp.withUnsafeBufferPointer { tb in
                guard let tp = tb.baseAddress else { return }
                splitter.split(tp, 0, tb.count) { ws, we in encodeWord(tp + ws, we - ws, cache, &out) }
            }
            return
        }
        splitter.split(p, s, e) { ws, we in encodeWord(p + ws, we - ws, cache, &out) }
    }

    /// One word: a single byte directly, else the cache, else BPE (and then the cache is filled).
    @inline(__always)
    func encodeWord(_ w: UnsafePointer<UInt8>, _ n: Int, _ cache: WordCache, _ out: inout [Int32]) {
        if n == 1 {
            let id = byteToID[Int(w[0])]
            if id >= 0 { out.append(id) }
            return
        }
        let h = ByteStringMap.hash(w, n)
        let e = cache.map.find(w, n, hash: h)
        if e >= 0 {
            let v = cache.map.values[e]
            let start = Int(v >> 32), count = Int(v & 0xFFFF_FFFF)
            cache.ids.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<(start + count)])) }
            return
        }
        let before = out.count
        bpe(w, n, cache, &out)
        if cache.map.count >= WordCache.maxWords || cache.ids.count >= WordCache.maxIDs {
            cache.map.removeAll()
            cache.ids.removeAll(keepingCapacity: true)
        }
        let start = cache.ids.count
        cache.ids.append(contentsOf: out[before...])
        _ = cache.map.insert(w, n, hash: h, value: (UInt64(start) << 32) | UInt64(out.count - before))
    }

    /// Merges the bytes of one word by rank: lowest rank first, leftmost among equals.
    @usableFromInline
    func bpe(_ w: UnsafePointer<UInt8>, _ n: Int, _ cache: WordCache, _ out: inout [Int32]) {
        if let wordToID {
            let h = ByteStringMap.hash(w, n)
            let e = wordToID.find(w, n, hash: h)
            if e >= 0 { out.append(Int32(truncatingIfNeeded: wordToID.values[e])); return }
        }
        var m = 0
        if cache.sym.count < n { cache.sym = [Int32](repeating: 0, count: n * 2); cache.rank = [UInt64](repeating: 0, count: n * 2) }
        cache.sym.withUnsafeMutableBufferPointer { sym in
            for i in 0..<n {
                let id = byteToID[Int(w[i])]
                if id >= 0 { sym[m] = id; m += 1 }
            }
        }
        if m <= 64 {
            m = mergeLinear(cache, m)
            cache.sym.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<m])) }
        } else {
            mergeHeap(cache, m, &out)
        }
    }

    /// Short words: keep each adjacent pair's packed rank in an array; each step scans for the minimum.
    @inline(__always)
    func mergeLinear(_ cache: WordCache, _ count: Int) -> Int {
        var m = count
        let merges = self.merges
        return cache.sym.withUnsafeMutableBufferPointer { sym in
            cache.rank.withUnsafeMutableBufferPointer { rank in
                if m < 2 { return m }
                for i in 0..<(m - 1) { rank[i] = merges.lookup(sym[i], sym[i + 1]) }
                while m > 1 {
                    var best = MergeTable.none
                    var bi = -1
                    for i in 0..<(m - 1) where rank[i] < best { best = rank[i]; bi = i }
                    if bi < 0 { break }
                    sym[bi] = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
                    var j = bi + 2
                    while j < m { sym[j - 1] = sym[j]; j += 1 }
                    j = bi + 2
                    while j < m - 1 { rank[j - 1] = rank[j]; j += 1 }
                    m -= 1
                    if bi > 0 { rank[bi - 1] = merges.lookup(sym[bi - 1], sym[bi]) }
                    if bi < m - 1 { rank[bi] = merges.lookup(sym[bi], sym[bi + 1]) }
                }
                return m
            }
        }
    }

    /// Long words (runs of spaces, long identifiers): a min-heap of (rank, position) over a linked list
    /// of symbols, with stale entries discarded when popped. O(n log n) instead of O(n^2).
    func mergeHeap(_ cache: WordCache, _ count: Int, _ out: inout [Int32]) {
        let merges = self.merges
        var next = [Int32](repeating: 0, count: count)
        var prev = [Int32](repeating: 0, count: count)
        var alive = [Bool](repeating: true, count: count)
        var heap = Heap64()
        var sym = Array(cache.sym[0..<count])
        for i in 0..<count { next[i] = Int32(i + 1); prev[i] = Int32(i - 1) }
        for i in 0..<(count - 1) {
            let r = merges.lookup(sym[i], sym[i + 1])
            if r != MergeTable.none { heap.push((r >> 32) << 32 | UInt64(i)) }
        }
        while let top = heap.pop() {
            let pos = Int(top & 0xFFFF_FFFF)
            let rank = top >> 32
            guard alive[pos] else { continue }
            let q = Int(next[pos])
            guard q < count else { continue }
            let r = merges.lookup(sym[pos], sym[q])
            guard r != MergeTable.none && r >> 32 == rank else { continue }
            sym[pos] = Int32(truncatingIfNeeded: r & 0xFFFF_FFFF)
            alive[q] = false
            let nq = Int(next[q])
            next[pos] = Int32(nq)
            if nq < count { prev[nq] = Int32(pos) }
            let pp = Int(prev[pos])
            if pp >= 0 {
                let r2 = merges.lookup(sym[pp], sym[pos])
                if r2 != MergeTable.none { heap.push((r2 >> 32) << 32 | UInt64(pp)) }
            }
            if nq < count {
                let r3 = merges.lookup(sym[pos], sym[nq])
                if r3 != MergeTable.none { heap.push((r3 >> 32) << 32 | UInt64(pos)) }
            }
        }
        var i = 0
        while i < count { out.append(sym[i]); i = Int(next[i]) }
    }

    // MARK: - Cache pool

    private func checkOutCache() -> WordCache {
        poolLock.lock()
        defer { poolLock.unlock() }
        return cachePool.popLast() ?? WordCache()
    }

    private func checkInCache(_ c: WordCache) {
        poolLock.lock()
        defer { poolLock.unlock() }
        if cachePool.count < 16 { cachePool.append(c) }
    }
}

/// One caller's word cache and scratch buffers. Checked out of the tokenizer's pool for the length
/// of one encode call, so the hot loop takes no lock.
@usableFromInline final class WordCache {
    static let maxWords = 1 << 20
    static let maxIDs = 1 << 23
    @usableFromInline var map = ByteStringMap(capacity: 1 << 14)
    @usableFromInline var ids: [Int32] = []
    @usableFromInline var sym = [Int32](repeating: 0, count: 256)
    @usableFromInline var rank = [UInt64](repeating: 0, count: 256)
}

/// A binary min-heap of packed 64-bit keys.
struct Heap64 {
    private var a: [UInt64] = []
    mutating func push(_ x: UInt64) {
        a.append(x)
        var i = a.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if a[p] <= a[i] { break }
            a.swapAt(p, i); i = p
        }
    }
    mutating func pop() -> UInt64? {
        guard let last = a.popLast() else { return nil }
        guard !a.isEmpty else { return last }
        let top = a[0]
        a[0] = last
        var i = 0
        let n = a.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && a[l] < a[m] { m = l }
            if r < n && a[r] < a[m] { m = r }
            if m == i { break }
            a.swapAt(m, i); i = m
        }
        return top
    }
}
