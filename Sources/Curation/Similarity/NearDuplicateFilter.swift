/// One dropped near-duplicate: item `index` was dropped because it is at least as similar as the
/// threshold to the kept item `keptIndex` (indices into the input order).
public struct NearDuplicate: Sendable, Hashable {
    public var index: Int
    public var keptIndex: Int
    public var jaccard: Double
    public init(index: Int, keptIndex: Int, jaccard: Double) {
        self.index = index; self.keptIndex = keptIndex; self.jaccard = jaccard
    }
}

/// What `NearDuplicateFilter` decided for a list of texts.
public struct NearDuplicateResult: Sendable {
    /// For each input, whether it was kept.
    public var kept: [Bool]
    /// The dropped inputs, in input order, each with the kept input it duplicates.
    public var duplicates: [NearDuplicate]
    /// The LSH banding used (for reports).
    public var banding: LSHBanding

    public var keptIndices: [Int] { kept.indices.filter { kept[$0] } }
}

/// Removes near-duplicate texts (MinHash over word n-grams with LSH banding; DESIGN.md section 5) for
/// s1 selection and persona dedupe.
///
/// Items are taken in the order given, which callers make stable (input order, or sorted by id): the
/// first of a group is kept, and each later item is dropped when its exact Jaccard similarity with an
/// already kept item reaches the threshold. Comparing only with kept items means a chain A ~ B ~ C where
/// C is not near A keeps A and C. The result depends only on the texts, their order and the options,
/// never on the thread count.
public struct NearDuplicateFilter: Sendable {
    public let options: MinHashOptions

    public init(options: MinHashOptions = MinHashOptions()) throws {
        try options.validate()
        self.options = options
    }

    /// Decides which of `texts` to keep. Sketches are computed on `threads` threads.
    public func run(_ texts: [String], threads: Int = 1) -> NearDuplicateResult {
        let hasher = MinHasher(options: options)
        let sketches = OrderedParallel<String, MinHashSketch>.map(chunked: texts, threads: threads) { hasher.sketch($0) }
        return run(sketches: sketches)
    }

    /// Decides which items to keep from precomputed sketches (made with a `MinHasher` of these options).
    public func run(sketches: [MinHashSketch]) -> NearDuplicateResult {
        let banding = options.effectiveBanding
        var index = LSHIndex(threshold: options.threshold, banding: banding)
        var keptToInput: [Int] = []
        var kept = [Bool](repeating: false, count: sketches.count)
        var duplicates: [NearDuplicate] = []
        for (i, s) in sketches.enumerated() {
            if let m = index.firstMatch(s) {
                duplicates.append(NearDuplicate(index: i, keptIndex: keptToInput[m.item], jaccard: m.jaccard))
            } else {
                index.insert(s)
                keptToInput.append(i)
                kept[i] = true
            }
        }
        return NearDuplicateResult(kept: kept, duplicates: duplicates, banding: banding)
    }

    /// Filters items of any type: returns the kept items and, for each dropped one, the id of the kept
    /// item it duplicates and their similarity.
    public func filter<Item>(_ items: [Item], threads: Int = 1, text: (Item) -> String, id: (Item) -> String)
        -> (kept: [Item], dropped: [(item: Item, duplicateOf: String, jaccard: Double)]) {
        let result = run(items.map(text), threads: threads)
        var kept: [Item] = []
        for i in items.indices where result.kept[i] { kept.append(items[i]) }
        let dropped = result.duplicates.map { (item: items[$0.index], duplicateOf: id(items[$0.keptIndex]), jaccard: $0.jaccard) }
        return (kept, dropped)
    }
}

extension OrderedParallel {
    /// Like `map(_:threads:_:)` but hands each thread a contiguous run of items, which is cheaper when
    /// each item is small (sketching a short text).
    public static func map(chunked items: [Item], threads: Int, _ transform: (Item) -> Output) -> [Output] {
        let t = max(1, threads)
        if t == 1 || items.count < 64 { return items.map(transform) }
        let chunk = (items.count + t * 8 - 1) / (t * 8)
        let ranges = stride(from: 0, to: items.count, by: chunk).map { $0..<min(items.count, $0 + chunk) }
        let parts = OrderedParallel<Range<Int>, [Output]>.map(ranges, threads: t) { r in r.map { transform(items[$0]) } }
        return parts.flatMap { $0 }
    }
}
