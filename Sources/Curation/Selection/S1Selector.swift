import Foundation

/// Settings of s1-style selection (DESIGN.md section 5: quality -> difficulty -> diversity).
public struct SelectOptions: Sendable {
    /// How many items to select (seed items included).
    public var target: Int
    /// Seeds the diversity sampling and its tie-breaking.
    public var seed: UInt64
    public var quality: QualityRules
    public var difficulty: DifficultyRules
    /// Near-duplicate removal over the questions.
    public var nearDuplicates: MinHashOptions
    /// Assigns a domain to items without a `domain` field.
    public var classifier: DomainClassifier
    /// Ids of items that are always kept, first (s1 kept its AIME/GPQA items this way).
    public var seedIDs: Set<String>
    /// A field that marks an item as a seed when true, a non-zero number or a non-empty string.
    public var seedField: String?
    /// s1 selection, or one of the baselines s1's data ablation compares it with.
    public var strategy: SelectStrategy = .s1

    public init(target: Int = 1000, seed: UInt64 = 0, quality: QualityRules = QualityRules(),
                difficulty: DifficultyRules = DifficultyRules(), nearDuplicates: MinHashOptions = MinHashOptions(),
                classifier: DomainClassifier = .builtIn, seedIDs: Set<String> = [], seedField: String? = nil) {
        self.target = target
        self.seed = seed
        self.quality = quality
        self.difficulty = difficulty
        self.nearDuplicates = nearDuplicates
        self.classifier = classifier
        self.seedIDs = seedIDs
        self.seedField = seedField
    }

    public func validate() throws {
        guard target >= 1 else { throw CurationError.invalidArgument("--target must be at least 1, got \(target)") }
        guard quality.maxGarbageShare >= 0 else { throw CurationError.invalidArgument("garbage share must be non-negative") }
        try nearDuplicates.validate()
    }
}

/// How the target items are chosen. `s1` is the whole method (quality -> difficulty -> near-duplicates ->
/// diversity); the others are the baselines of s1's data ablation (section 5.1), which skip every filter and
/// choose from the whole pool, defects included: `random` (uniformly, by a seeded hash of the id),
/// `longest` (the longest reasoning traces, s1's difficulty indicator alone) and `diversity` (a domain
/// uniformly at random, then an item uniformly within it: no notion of difficulty). Seeds are kept first
/// by every strategy.
public enum SelectStrategy: String, Sendable, CaseIterable {
    case s1, random, longest, diversity
}

/// An item that passed quality and difficulty (or is a seed), waiting for the diversity stage.
public struct SelectCandidate: Sendable {
    public var record: RawRecord
    public var id: String
    public var question: String
    /// Reasoning-trace length in the difficulty stage's tokens.
    public var length: Int
    /// The record's own `domain`, if it has a non-blank one.
    public var domain: String?
    public var isSeed: Bool
    /// For a seed: the reason quality or difficulty would have dropped it (it is kept anyway).
    public var bypassed: String?

    /// A candidate as a sharded select's share kept it (`select --shard`), read back for the final sampling.
    public init(record: RawRecord, id: String, question: String, length: Int, domain: String?, isSeed: Bool, bypassed: String?) {
        self.record = record; self.id = id; self.question = question; self.length = length
        self.domain = domain; self.isSeed = isSeed; self.bypassed = bypassed
    }
}

/// What screening decided for one record.
public enum ScreenVerdict: Sendable {
    case dropped(stage: SelectStage, reason: String)
    case candidate(SelectCandidate)
}

public enum SelectStage: String, Sendable, CaseIterable {
    case quality, difficulty, diversity
}

/// One domain's line in the report.
public struct DomainCount: Sendable, Hashable {
    public var domain: String
    /// Items of this domain entering sampling (after near-duplicate removal; seeds excluded).
    public var pool: Int
    /// Of those, how many had their domain assigned by the classifier.
    public var classified: Int
    /// Selected items of this domain, seeds included.
    public var selected: Int
    public var seeds: Int
}

/// The outcome of selection.
public struct SelectionResult: Sendable {
    /// The selected records in selection order (seeds first, then in the order sampled); records whose
    /// domain the classifier assigned carry it in an added `domain` field, all others are unchanged.
    public var selected: [RawRecord]
    public var selectedIDs: [String]
    public var quality: StageReport
    public var difficulty: StageReport
    public var diversity: StageReport
    public var domains: [DomainCount]
    /// Dropped near-duplicates: (id, id of the kept item it duplicates, Jaccard similarity).
    public var duplicates: [(id: String, duplicateOf: String, jaccard: Double)]
    public var seedIDs: [String]
    public var banding: LSHBanding
    public var warnings: [String]

    /// The counts after every stage, like the s1 paper's 59,029 -> 51,607 -> 24,517 -> 1,000.
    public var funnel: [Int] { [quality.recordsIn, quality.recordsOut, difficulty.recordsOut, diversity.recordsOut] }
}

/// s1-style selection over pool records. Use `run(records:)` for an in-memory pool, or `screen` per
/// record (thread-safe, e.g. on batches in parallel) followed by `choose` for streaming inputs.
public struct S1Selector: Sendable {
    public let options: SelectOptions

    public init(options: SelectOptions) throws {
        try options.validate()
        self.options = options
    }

    /// Quality and difficulty for one record. Throws `CurationError.badRecord` for a field of the wrong
    /// type (bad input, handled by the caller's error policy).
    public func screen(_ record: RawRecord) throws -> ScreenVerdict {
        let item = try PoolItem.decode(record)
        let seed = isSeed(item, record)
        var bypassed: String?
        // The s1-ablation baselines skip both filters.
        if options.strategy == .s1, let issue = options.quality.check(item, record: record) {
            guard seed else { return .dropped(stage: .quality, reason: issue.description) }
            bypassed = issue.description
        }
        if options.strategy == .s1, bypassed == nil, let why = options.difficulty.solvedReason(item) {
            guard seed else { return .dropped(stage: .difficulty, reason: why) }
            bypassed = why
        }
        let domain = item.domain.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        return .candidate(SelectCandidate(record: record, id: item.id, question: item.question ?? "",
                                          length: options.difficulty.length(item), domain: domain,
                                          isSeed: seed, bypassed: bypassed))
    }

    private func isSeed(_ item: PoolItem, _ record: RawRecord) -> Bool {
        if options.seedIDs.contains(item.id) { return true }
        guard let f = options.seedField, let v = try? record.value(f) else { return false }
        switch v {
        case .bool(let b): return b
        case .number(let n): return (Double(n) ?? 0) != 0
        case .string(let s): return !s.isEmpty
        default: return false
        }
    }

    /// Runs the whole selection over in-memory records. `threads` parallelises screening, sketching and
    /// classification; the result is the same for any value.
    public func run(records: [RawRecord], threads: Int = 1) throws -> SelectionResult {
        let verdicts = try OrderedParallel<RawRecord, Result<ScreenVerdict, CurationError>>.map(chunked: records, threads: threads) { r in
            do { return .success(try screen(r)) } catch let e as CurationError { return .failure(e) } catch {
                return .failure(.badRecord(r.location, reason: "\(error)"))
            }
        }.map { try $0.get() }
        var tally = ScreenTally()
        for v in verdicts { tally.add(v) }
        return choose(tally, threads: threads)
    }

    /// Accumulates screening verdicts for `choose`.
    public struct ScreenTally: Sendable {
        public var candidates: [SelectCandidate] = []
        public var dropped: [SelectStage: [String: Int]] = [:]
        public var screened = 0
        /// Records rejected before screening (unreadable lines under `--on-error skip`), by reason.
        public var rejected: [String: Int] = [:]
        public var bytesIn = 0
        public var emptyFiles: [String] = []
        public init() {}

        public mutating func add(_ v: ScreenVerdict) {
            screened += 1
            switch v {
            case .dropped(let stage, let reason): dropped[stage, default: [:]][reason, default: 0] += 1
            case .candidate(let c): candidates.append(c)
            }
        }

        /// Adds a reader's counts (rejected lines are counted as dropped by quality).
        public mutating func absorb(_ counts: ReadCounts) {
            for (r, n) in counts.rejectedByReason { rejected["rejected:\(r)", default: 0] += n }
            bytesIn += counts.bytes
            emptyFiles += counts.emptyFiles
        }
    }

    /// The diversity stage over screened candidates, and the three stage reports.
    public func choose(_ tally: ScreenTally, threads: Int = 1) -> SelectionResult {
        let started = Date()
        var warnings: [String] = tally.emptyFiles.map { "empty input file: \($0)" }
        let cands = tally.candidates

        // Stage accounting.
        var quality = StageReport(stage: "select.quality")
        quality.recordsIn = tally.screened + tally.rejected.values.reduce(0, +)
        quality.bytesIn = tally.bytesIn
        for (r, n) in tally.rejected { quality.drop(r, count: n) }
        for (r, n) in tally.dropped[.quality] ?? [:] { quality.drop(r, count: n) }
        quality.recordsOut = quality.recordsIn - quality.droppedTotal
        var difficulty = StageReport(stage: "select.difficulty")
        difficulty.recordsIn = quality.recordsOut
        for (r, n) in tally.dropped[.difficulty] ?? [:] { difficulty.drop(r, count: n) }
        difficulty.recordsOut = difficulty.recordsIn - difficulty.droppedTotal
        for c in cands where c.isSeed {
            if let b = c.bypassed { warnings.append("seed \(c.id) kept although \(b)") }
        }

        // Domains: the record's own, else the classifier's.
        let classifier = options.classifier
        let assigned: [String?] = OrderedParallel<SelectCandidate, String?>.map(chunked: cands, threads: threads) { c in
            c.domain == nil && !c.isSeed ? classifier.classify(c.question) : nil
        }

        // Near-duplicates over questions: seeds first (always kept), then the rest in input order.
        let hasher = MinHasher(options: options.nearDuplicates)
        let sketches = OrderedParallel<SelectCandidate, MinHashSketch>.map(chunked: cands, threads: threads) { hasher.sketch($0.question) }
        let banding = options.nearDuplicates.effectiveBanding
        var index = LSHIndex(threshold: options.nearDuplicates.threshold, banding: banding)
        var indexToCandidate: [Int] = []
        for (i, c) in cands.enumerated() where c.isSeed {
            index.insert(sketches[i]); indexToCandidate.append(i)
        }
        var duplicates: [(id: String, duplicateOf: String, jaccard: Double)] = []
        var entries: [DiversitySampler.Entry] = []
        var poolCount: [String: Int] = [:], classifiedCount: [String: Int] = [:]
        for (i, c) in cands.enumerated() where !c.isSeed {
            if options.strategy == .s1, let m = index.firstMatch(sketches[i]) {
                duplicates.append((c.id, cands[indexToCandidate[m.item]].id, m.jaccard))
                continue
            }
            index.insert(sketches[i]); indexToCandidate.append(i)
            let domain = c.domain ?? assigned[i] ?? "other"
            poolCount[domain, default: 0] += 1
            if c.domain == nil { classifiedCount[domain, default: 0] += 1 }
            entries.append(.init(index: i, id: c.id, domain: domain, length: c.length))
        }

        // Seeds first, then sampling.
        let seedIdx = cands.indices.filter { cands[$0].isSeed }
        if seedIdx.count > options.target {
            warnings.append("\(seedIdx.count) seed items exceed the target \(options.target); all seeds are kept")
        }
        let wanted = max(0, options.target - seedIdx.count)
        let sampled: [Int]
        switch options.strategy {
        case .s1: sampled = DiversitySampler(seed: options.seed).sample(entries, count: wanted)
        case .diversity: sampled = DiversitySampler(seed: options.seed, withinDomain: .uniform).sample(entries, count: wanted)
        case .random, .longest:
            // A total order that does not depend on input order: (length, for longest,) then a seeded hash of
            // the id, then the id.
            let longest = options.strategy == .longest
            let seed = options.seed
            let keyed = entries.map { (e: $0, key: XXH3.hash64($0.id, seed: seed)) }
            sampled = keyed.sorted { a, b in
                if longest, a.e.length != b.e.length { return a.e.length > b.e.length }
                if a.key != b.key { return a.key < b.key }
                if a.e.id != b.e.id { return a.e.id < b.e.id }
                return a.e.index < b.e.index
            }.prefix(wanted).map(\.e.index)
        }
        if sampled.count < wanted {
            warnings.append("only \(seedIdx.count + sampled.count) items available for a target of \(options.target)")
        }
        var selected: [RawRecord] = [], selectedIDs: [String] = []
        var selectedCount: [String: Int] = [:], seedCount: [String: Int] = [:]
        for i in seedIdx + sampled {
            let c = cands[i]
            var r = c.record
            let domain = c.domain ?? assigned[i] ?? (c.isSeed ? "seed" : "other")
            if c.domain == nil, !c.isSeed { r = r.setting("domain", to: .string(domain)) }
            selected.append(r)
            selectedIDs.append(c.id)
            selectedCount[domain, default: 0] += 1
            if c.isSeed { seedCount[domain, default: 0] += 1 }
        }

        var diversity = StageReport(stage: "select.diversity")
        diversity.recordsIn = difficulty.recordsOut
        diversity.drop("near-duplicate", count: duplicates.count)
        diversity.drop("not-selected", count: entries.count - sampled.count)
        diversity.recordsOut = selected.count
        diversity.seconds = Date().timeIntervalSince(started)
        let allDomains = Set(poolCount.keys).union(selectedCount.keys).sorted()
        let domains = allDomains.map {
            DomainCount(domain: $0, pool: poolCount[$0] ?? 0, classified: classifiedCount[$0] ?? 0,
                        selected: selectedCount[$0] ?? 0, seeds: seedCount[$0] ?? 0)
        }
        return SelectionResult(selected: selected, selectedIDs: selectedIDs, quality: quality, difficulty: difficulty,
                               diversity: diversity, domains: domains, duplicates: duplicates,
                               seedIDs: seedIdx.map { cands[$0].id }, banding: banding, warnings: warnings)
    }
}

extension SelectionResult {
    /// The whole selection report: funnel, stages, per-domain table, seeds, classifier accuracy, settings.
    public func reportJSON(options: SelectOptions, extraSettings: [String: JSONValue] = [:]) -> JSONValue {
        var o = JSONObject()
        o["stage"] = .string("select")
        o["funnel"] = .object(JSONObject([
            .init(key: "input", value: .int(funnel[0])), .init(key: "after_quality", value: .int(funnel[1])),
            .init(key: "after_difficulty", value: .int(funnel[2])), .init(key: "selected", value: .int(funnel[3])),
        ]))
        o["stages"] = .array([quality.json, difficulty.json, diversity.json])
        o["domains"] = .array(domains.map { d in
            .object(JSONObject([
                .init(key: "domain", value: .string(d.domain)), .init(key: "pool", value: .int(d.pool)),
                .init(key: "classified", value: .int(d.classified)), .init(key: "selected", value: .int(d.selected)),
                .init(key: "seeds", value: .int(d.seeds)),
            ]))
        })
        o["seed_items"] = .array(seedIDs.map { .string($0) })
        var cls = JSONObject()
        cls["origin"] = .string(options.classifier.origin)
        cls["domains"] = .int(options.classifier.domains.count)
        cls["held_out"] = options.classifier.heldOut?.json ?? .null
        o["classifier"] = .object(cls)
        o["near_duplicates"] = .object(JSONObject([
            .init(key: "dropped", value: .int(duplicates.count)),
            .init(key: "examples", value: .array(duplicates.prefix(20).map { d in
                .object(JSONObject([.init(key: "id", value: .string(d.id)), .init(key: "duplicate_of", value: .string(d.duplicateOf)),
                                    .init(key: "jaccard", value: .double((d.jaccard * 1000).rounded() / 1000))]))
            })),
        ]))
        var settings = JSONObject()
        settings["target"] = .int(options.target)
        settings["strategy"] = .string(options.strategy.rawValue)
        settings["seed"] = .number(String(options.seed))
        settings["jaccard"] = .double(options.nearDuplicates.threshold)
        settings["shingle_words"] = .int(options.nearDuplicates.shingleSize)
        settings["minhash_permutations"] = .int(options.nearDuplicates.permutations)
        settings["lsh_banding"] = .string(banding.description)
        settings["length_unit"] = .string(options.difficulty.tokenCounter.name)
        settings["asy_allowed_sources"] = .array(options.quality.asyAllowedSources.sorted().map { .string($0) })
        settings["required_fields"] = .array(options.quality.requiredFields.map { .string($0) })
        for k in extraSettings.keys.sorted() { settings[k] = extraSettings[k] }
        o["settings"] = .object(settings)
        o["warnings"] = .array(warnings.map { .string($0) })
        return .object(o)
    }

    /// Throws when any stage's counts do not add up.
    public func check() throws {
        try quality.check(); try difficulty.check(); try diversity.check()
        if quality.recordsOut != difficulty.recordsIn || difficulty.recordsOut != diversity.recordsIn {
            throw CurationError.accountingMismatch(stage: "select", recordsIn: quality.recordsIn, out: diversity.recordsOut,
                                                   dropped: quality.droppedTotal + difficulty.droppedTotal + diversity.droppedTotal)
        }
    }

    /// A readable summary for stderr: the funnel and the per-domain table.
    public func table() -> String {
        var out = "== select ==\n"
        out += TextTable.render(header: ["stage", "in", "out", "dropped"], rows: [quality, difficulty, diversity].map {
            [$0.stage, "\($0.recordsIn)", "\($0.recordsOut)", "\($0.droppedTotal)"]
        }, rightAlign: [1, 2, 3])
        out += "funnel: " + funnel.map(String.init).joined(separator: " -> ") + "\n\n"
        var reasons: [[String]] = []
        for s in [quality, difficulty, diversity] {
            for r in s.dropped.keys.sorted() { reasons.append([s.stage, r, "\(s.dropped[r] ?? 0)"]) }
        }
        if !reasons.isEmpty { out += TextTable.render(header: ["stage", "dropped because", "records"], rows: reasons, rightAlign: [2]) + "\n" }
        out += TextTable.render(header: ["domain", "pool", "classified", "selected"], rows: domains.map {
            [$0.domain, "\($0.pool)", "\($0.classified)", "\($0.selected)"]
        }, rightAlign: [1, 2, 3])
        for w in warnings { out += "warning: \(w)\n" }
        return out
    }
}
