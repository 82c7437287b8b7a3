import Curation
import Foundation

/// The scan stage: reads training records, finds the eval instances each one matches, and writes the
/// records back under the chosen action, the matches file and the report.
///
/// Parallel over batches of lines (about 1 MB each, so large files split too): worker threads parse and
/// scan while the calling thread reads ahead, takes the results in input order and does all writing and
/// counting, so every output is the same for any thread count.
public final class DecontamScan {
    public let index: EvalIndex
    public let options: ScanOptions

    public init(index: EvalIndex, options: ScanOptions) throws {
        try options.validate()
        self.index = index
        self.options = options
    }

    /// What the workers found for a record that matched.
    struct Outcome {
        var matches: [InstanceMatch] = []
        var id: String?
        var mask: Masker.Outcome?
    }

    /// A batch as the workers leave it. Most records match nothing: for those nothing is kept (their
    /// parsed form is freed as soon as they are scanned, and the writer copies their line straight from
    /// the batch), so only matched records travel to the writing thread.
    struct BatchResult {
        var batch: LineBatch
        /// The matched records: (line index in the batch, record, what it matched), ascending.
        var matched: [(index: Int, record: RawRecord, outcome: Outcome)] = []
        /// Lines that could not be read: (line index in the batch, error), ascending.
        var failures: [(index: Int, error: CurationError)] = []
        /// Records with no text to scan (line index in the batch), ascending.
        var noText: [Int] = []
        var fatal: CurationError?
    }

    /// Scans `inputs` (resolved file paths, in order; with a shard, this run's share is taken from them).
    /// `progress` is called on the calling thread with (records, uncompressed bytes) read so far.
    public func run(inputs: [String], rejected: RejectedWriter? = nil, progress: ((Int, Int) -> Void)? = nil) throws -> ScanReport {
        let started = Date()
        let index = self.index, options = self.options
        // A share reads a contiguous run of the input's units (files, row groups, frames, line ranges):
        // the shares' outputs in share order are the whole scan's, and sources keep their positions.
        let slices = try options.shard.map { try SharePlan.plan(inputs, options: options.read, plainUnitBytes: options.plainUnitBytes).slices(for: $0) } ?? inputs.map { InputSlice(file: $0) }
        var firstPosition: [String: Int] = [:]
        for (p, f) in inputs.enumerated() where firstPosition[f] == nil { firstPosition[f] = p }
        var files: [String] = []
        for sl in slices where files.last != sl.file { files.append(sl.file) }
        let chosen = files.map { (firstPosition[$0] ?? 0, $0) }

        var shardOptions = options.shardOptions
        shardOptions.share = options.shard
        var removedOptions = shardOptions
        removedOptions.prefix = "removed"
        removedOptions.maxRecords = options.shardOptions.maxRecords
        let kept = try ShardedWriter(directory: options.output, options: shardOptions)
        let removed = options.action == .tag ? nil : try ShardedWriter(directory: options.output, options: removedOptions)
        let matchesFile = try options.matchesPath.map { try AtomicFileWriter(path: options.shard?.name($0) ?? $0) }

        var summary = ContaminationSummary()
        summary.examplesPerSet = options.examplesPerSet
        summary.sources = chosen.map { .init(source: $0.1, position: $0.0) }
        var sourceIndex: [String: Int] = [:]
        for (k, f) in files.enumerated() { sourceIndex[f] = k }
        var foundCounts: [Int: Int] = [:]
        var stage = StageReport(stage: "decontam-scan")
        var pieces = 0, masked = 0, noText = 0

        let reader = RecordReader(slices: slices, policy: options.errorPolicy, rejected: rejected, options: options.read)
        let sharedIndex = index, sharedOptions = options
        let pipeline = OrderedParallel<LineBatch, BatchResult>(threads: options.threads) { batch in
            DecontamScan.process(batch, index: sharedIndex, options: sharedOptions)
        }

        /// A matched record: counted per source and eval set, written to the matches file, and dropped,
        /// tagged or masked.
        func contaminated(_ record: RawRecord, _ outcome: Outcome, source src: Int) throws {
            let id = outcome.id ?? RecordID.fallback(record.location)
            summary.sources[src].contaminated += 1
            var setsHit: [Int32: InstanceMatch] = [:]
            for m in outcome.matches {
                foundCounts[m.instance, default: 0] += 1
                let set = index.instanceSet[m.instance]
                if let b = setsHit[set], b.overlap >= m.overlap { continue }
                setsHit[set] = m
            }
            for (set, best) in setsHit.sorted(by: { $0.key < $1.key }) {
                let name = index.sets[Int(set)].name
                summary.sources[src].bySet[name, default: 0] += 1
                if (summary.examples[name]?.count ?? 0) < options.examplesPerSet {
                    summary.examples[name, default: []].append(.init(
                        position: summary.sources[src].position, line: record.location.line, id: id, source: record.location.file,
                        evalID: index.instanceIDs[best.instance], overlap: rounded4(best.overlap), evalPreview: index.instancePreviews[best.instance]))
                }
            }
            if let mf = matchesFile {
                for m in outcome.matches {
                    var line = JSONWriter.bytes(.object(JSONObject([
                        "id": .string(id), "source": .string(record.location.file),
                        "eval_set": .string(index.sets[Int(index.instanceSet[m.instance])].name),
                        "eval_id": .string(index.instanceIDs[m.instance]), "overlap": .double(rounded4(m.overlap)),
                    ])))
                    line.append(0x0A)
                    try mf.write(line)
                }
            }
            let tagged = record.setting("contamination", to: self.contaminationValue(outcome.matches))
            switch options.action {
            case .drop:
                try removed?.write(tagged)
                stage.drop("contaminated")
            case .tag:
                try kept.write(tagged)
                stage.recordsOut += 1
            case .mask:
                switch outcome.mask {
                case .pieces(let texts, _)?:
                    for (k, text) in texts.enumerated() {
                        let piece = record.setting("text", to: .string(text)).setting("id", to: .string("\(id)#p\(k + 1)"))
                        try kept.write(piece)
                    }
                    pieces += texts.count
                    masked += 1
                    stage.recordsOut += 1
                case .dropped(let tooMany, _)?:
                    try removed?.write(tagged)
                    stage.drop(tooMany ? "mask:cut-too-often" : "mask:no-piece-left")
                case nil:
                    try removed?.write(tagged)
                    stage.drop("contaminated")
                }
            }
        }

        let consume: (BatchResult) throws -> Void = { result in
            if let fatal = result.fatal { throw fatal }
            try reader.absorb(result.batch, failures: result.failures)
            let src = sourceIndex[result.batch.file] ?? 0
            let batch = result.batch
            var nextMatch = 0, nextFailure = 0, nextNoText = 0
            try batch.data.withUnsafeBytes { data in
                for (k, l) in batch.lines.enumerated() {
                    if nextFailure < result.failures.count, result.failures[nextFailure].index == k { nextFailure += 1; continue }
                    summary.sources[src].scanned += 1
                    if nextNoText < result.noText.count, result.noText[nextNoText] == k {
                        nextNoText += 1
                        noText += 1
                        if options.onNoText == .drop { stage.drop("no-text"); continue }
                    }
                    if nextMatch < result.matched.count, result.matched[nextMatch].index == k {
                        let m = result.matched[nextMatch]
                        nextMatch += 1
                        try contaminated(m.record, m.outcome, source: src)
                        continue
                    }
                    try kept.write(line: UnsafeRawBufferPointer(rebasing: data[l.start..<(l.start + l.count)]))
                    stage.recordsOut += 1
                }
            }
            progress?(reader.counts.records, reader.counts.bytes)
        }
        try reader.forEachBatch(batchBytes: options.batchBytes) { try pipeline.submit($0, consume: consume) }
        try pipeline.drain(consume)

        let manifest = try kept.finish()
        let removedManifest = try removed?.finish()
        try matchesFile?.commit()
        try rejected?.finish()

        stage.absorb(reader.counts)
        stage.bytesOut = manifest.compressedBytes + (removedManifest?.compressedBytes ?? 0)
        stage.seconds = Date().timeIntervalSince(started)
        stage.settings = settingsJSON(inputs: inputs)
        stage.extra["lines_written"] = .int(manifest.records)
        if options.action == .mask {
            stage.extra["pieces_written"] = .int(pieces)
            stage.extra["documents_masked"] = .int(masked)
        }
        if noText > 0 {
            stage.extra["no_text"] = .int(noText)
            stage.warnings.append(Self.noTextWarning(noText, policy: options.onNoText))
        }
        if index.boilerplateNGrams > 0 {
            stage.warnings.append("\(index.boilerplateNGrams) boilerplate n-grams (in more than \(index.maxEvalFrequency ?? 0) eval instances) ignored")
        }
        summary.evalSets = index.sets.enumerated().map { (k, s) in
            .init(name: s.name, path: s.path, fileHash: s.fileHash, instances: s.instances, found: [], reading: s.reading)
        }
        for inst in foundCounts.keys.sorted() {
            let set = Int(index.instanceSet[inst])
            summary.evalSets[set].found.append(.init(ordinal: inst, id: index.instanceIDs[inst], trainRecords: foundCounts[inst] ?? 0))
        }
        var report = ScanReport(stage: stage, summary: summary)
        if let s = options.shard { report.shardCount = s.count; report.shards = [s.index] }
        report.outputs = [manifest] + (removedManifest.map { [$0] } ?? [])
        report.slices = slices.map(\.description)
        try report.stage.check()
        return report
    }

    /// The settings as reports record them (equal settings are what lets reports merge).
    /// The report's warning about records with no text (one definition: a merge of shares rewrites it
    /// from the summed count).
    public static func noTextWarning(_ count: Int, policy: NoTextPolicy) -> String {
        "\(count) record(s) with no text to scan (no recognised text field) " +
            (policy == .drop ? "dropped as no-text" : "kept unscanned") + "; --fields names the fields to read"
    }

    func settingsJSON(inputs: [String]) -> [String: JSONValue] {
        [
            "ngram": .int(index.settings.n),
            "normalization": .string(index.settings.normalizer.settingsKey),
            "rule": .string(options.ruleDescription),
            "threshold": options.any ? .null : .double(options.threshold),
            "any": .bool(options.any),
            "action": .string(options.action.rawValue),
            "max_eval_frequency": index.maxEvalFrequency.map { .int($0) } ?? .null,
            "fields": .string(options.fields?.joined(separator: ",") ?? "by schema (chat: all messages; preference: prompt + chosen + rejected; document: text)"),
            "id_field": options.idField.map { .string($0) } ?? .null,
            "index": .string(index.path),
            "index_settings": .string(index.settings.description),
            "eval_sets": .array(index.sets.map { .string("\($0.name)=\($0.path) xxh3-128:\($0.fileHash)") }),
            "inputs": .array(inputs.map { .string($0) }),
            "on_error": .string(options.errorPolicy.rawValue),
            "on_no_text": .string(options.onNoText.rawValue),
        ]
    }

    /// The `contamination` field: the best match, then every match (at most 10), best first.
    func contaminationValue(_ matches: [InstanceMatch]) -> JSONValue {
        let ranked = matches.sorted { $0.overlap != $1.overlap ? $0.overlap > $1.overlap : $0.instance < $1.instance }
        func entry(_ m: InstanceMatch) -> JSONObject {
            JSONObject([
                "eval_set": .string(index.sets[Int(index.instanceSet[m.instance])].name),
                "eval_id": .string(index.instanceIDs[m.instance]),
                "overlap": .double(rounded4(m.overlap)),
                "ngrams_matched": .int(m.matched), "ngrams": .int(m.total),
            ])
        }
        var best = entry(ranked[0])
        best["matches"] = .array(ranked.prefix(10).map { .object(entry($0)) })
        return .object(best)
    }

    /// Worker side: parse a batch and scan its records (touches no shared mutable state).
    static func process(_ batch: LineBatch, index: EvalIndex, options: ScanOptions) -> BatchResult {
        var result = BatchResult(batch: batch)
        let scanner = RecordScanner(index: index, options: options)
        for (k, l) in batch.lines.enumerated() {
            let record: RawRecord
            do {
                record = try batch.record(l)
            } catch let e as CurationError {
                result.failures.append((k, e)); continue
            } catch {
                result.failures.append((k, .badRecord(batch.location(l), reason: "\(error)"))); continue
            }
            do {
                if options.action == .mask, Schema.detect(record) != .document {
                    result.fatal = .invalidArgument(
                        "--action mask works on documents only (records with \"text\"); \(record.location) is a \(Schema.detect(record).rawValue) record: use --action drop or tag")
                    return result
                }
                let matches = try scanner.scan(record)
                if scanner.lastText.isEmpty {
                    if options.onNoText == .fail {
                        result.fatal = .badRecord(record.location, reason: "no text to scan (no recognised text field; --fields names the fields to read, --on-no-text keep|drop lets it pass)")
                        return result
                    }
                    result.noText.append(k)
                    continue
                }
                guard !matches.isEmpty else { continue }
                var o = Outcome(matches: matches)
                o.id = try RecordID.of(record, field: options.idField)
                if options.action == .mask {
                    let spans = scanner.matchedSpans(of: Set(o.matches.map(\.instance)))
                    o.mask = Masker.cut(scanner.lastText, spans: spans, context: options.maskContext,
                                        minPiece: options.maskMinPiece, maxCuts: options.maskMaxCuts)
                }
                result.matched.append((k, record, o))
            } catch let e as CurationError {
                result.failures.append((k, e))
            } catch {
                result.failures.append((k, .badRecord(record.location, reason: "\(error)")))
            }
        }
        return result
    }
}
