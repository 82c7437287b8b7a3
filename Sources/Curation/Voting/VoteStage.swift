import Foundation

/// The vote stage over a stream of samples records: keeps instances whose completions agree (and agree
/// with the gold answer), writes the majority-consistent completions with vote statistics, and counts
/// every dropped record by reason.
///
/// List-layout records (`completions: [...]`) are voted in batches on worker threads and emitted in input
/// order. Per-completion records (`completion`, sharing `id`) are gathered by id, in any order, and voted
/// at `finish` in order of each id's first appearance. Output records are the input bytes with `vote` added
/// (and `completions`/`completion_meta` narrowed when completions are dropped); nothing else changes.
///
/// Record accounting (`report`): in = out + dropped. An instance dropped by the vote drops its records under
/// its reason; records of a kept instance that are not output are dropped as `not-selected`; records that
/// cannot be read as samples are `rejected:<kind>` under `ErrorPolicy.skip` or thrown under `.fail`.
public final class VoteStage {
    public let options: VoteOptions
    public let policy: ErrorPolicy
    public let rejected: RejectedWriter?
    public private(set) var report: StageReport
    public private(set) var statistics = VoteStatistics()

    /// Keep the ids of the per-completion groups voted (`groupIDs`), for a sharded run: its merge checks
    /// that no id had completions in two shares (one run would have voted them as one group).
    public var keepGroupIDs = false
    /// The per-completion groups' ids, in the order they were voted (with `keepGroupIDs`).
    public private(set) var groupIDs: [String] = []
    /// Instances that came as one record with a `completions` list (voted as they were read).
    public private(set) var listInstances = 0

    private var pending: [RawRecord] = []
    private var groupIndex: [String: Int] = [:]
    private var groups: [[RawRecord]] = []
    private let started = Date()

    public init(options: VoteOptions = VoteOptions(), policy: ErrorPolicy = .fail, rejected: RejectedWriter? = nil) throws {
        try options.validate()
        self.options = options
        self.policy = policy
        self.rejected = rejected
        report = StageReport(stage: "vote")
        report.settings = options.json
    }

    /// Takes one record; `emit` receives output records in a deterministic order. With `route`, a
    /// per-completion record goes there with its id instead of into this stage's groups (a sharded vote
    /// sends it to the task that votes its id; this stage does not count it).
    public func process(_ record: RawRecord, emit: (RawRecord) throws -> Void, route: ((RawRecord, String) throws -> Void)? = nil) throws {
        let layout: SampleRecord.Layout
        do { layout = try SampleRecord.layout(of: record) } catch let e as CurationError {
            try reject(record, e)
            return
        }
        switch layout {
        case .list:
            pending.append(record)
            if pending.count >= options.batchSize { try flush(emit) }
        case .perCompletion:
            let id: String
            do { id = try SampleRecord.groupID(of: record) } catch let e as CurationError {
                try reject(record, e)
                return
            }
            if let route { try route(record, id); return }
            if let g = groupIndex[id] { groups[g].append(record) } else {
                groupIndex[id] = groups.count
                groups.append([record])
            }
        }
    }

    /// Votes what is still buffered, checks the counts and returns the report (with the vote statistics
    /// under `vote`).
    public func finish(emit: (RawRecord) throws -> Void) throws -> StageReport {
        try finish(emit: emit) { _, r in try emit(r) }
    }

    /// `finish`, with each per-completion group's outputs given with the group's index in order of first
    /// appearance (a sharded vote keys them by where the group first appeared in the whole input).
    public func finish(emit: (RawRecord) throws -> Void, emitGroup: (Int, RawRecord) throws -> Void) throws -> StageReport {
        try flush(emit)
        let all = groups
        if keepGroupIDs {
            var ids = [String](repeating: "", count: all.count)
            for (id, k) in groupIndex where k < ids.count { ids[k] = id }
            groupIDs = ids
        }
        groups.removeAll()
        groupIndex.removeAll()
        var start = 0
        while start < all.count {
            let end = min(all.count, start + options.batchSize)
            let batch = Array(all[start..<end])
            let opts = options
            let outcomes = OrderedParallel<[RawRecord], Outcome>.map(batch, threads: options.threads) { VoteStage.voteGroup($0, opts) }
            for (k, o) in outcomes.enumerated() { try consume(o) { try emitGroup(start + k, $0) } }
            start = end
        }
        report.seconds = Date().timeIntervalSince(started)
        report.extra["vote"] = statistics.json
        try report.check()
        return report
    }

    /// Reads every record of `reader`, votes, and returns the report.
    public static func run(reader: RecordReader, options: VoteOptions = VoteOptions(), rejected: RejectedWriter? = nil,
                           emit: (RawRecord) throws -> Void) throws -> StageReport {
        let stage = try VoteStage(options: options, policy: reader.policy, rejected: rejected)
        try reader.forEach { try stage.process($0, emit: emit) }
        stage.absorbReader(reader.counts)
        return try stage.finish(emit: emit)
    }

    // MARK: - Internals

    /// Adds what the reader counted besides the records fed to `process` (those are counted as they
    /// come): its rejected lines, bytes read and empty files.
    public func absorbReader(_ read: ReadCounts) {
        report.recordsIn += read.rejected
        for (r, n) in read.rejectedByReason { report.drop("rejected:\(r)", count: n) }
        report.bytesIn += read.bytes
        for f in read.emptyFiles { report.warnings.append("empty input file: \(f)") }
    }

    struct Outcome {
        var inputs: Int
        var output: [RawRecord] = []
        var tally: VoteTally?
        var source = "(none)"
        var errors: [(RawRecord, CurationError)] = []
    }

    private func flush(_ emit: (RawRecord) throws -> Void) throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        listInstances += batch.count
        pending.removeAll(keepingCapacity: true)
        let opts = options
        let outcomes = OrderedParallel<RawRecord, Outcome>.map(batch, threads: options.threads) { VoteStage.voteList($0, opts) }
        for o in outcomes { try consume(o, emit) }
    }

    private func consume(_ o: Outcome, _ emit: (RawRecord) throws -> Void) throws {
        report.recordsIn += o.inputs
        for (r, e) in o.errors { try rejectCounted(r, e) }
        guard let t = o.tally else { return }
        statistics.add(t, source: o.source)
        let live = o.inputs - o.errors.count
        if let reason = t.dropReason {
            report.drop(reason.rawValue, count: live)
        } else {
            for r in o.output {
                try emit(r)
                report.recordsOut += 1
                report.bytesOut += r.bytes.count + 1
            }
            if live > o.output.count { report.drop("not-selected", count: live - o.output.count) }
        }
    }

    private func reject(_ record: RawRecord, _ e: CurationError) throws {
        report.recordsIn += 1
        try rejectCounted(record, e)
    }

    private func rejectCounted(_ record: RawRecord, _ e: CurationError) throws {
        guard policy == .skip else { throw e }
        report.drop("rejected:\(VoteStage.reasonKey(e))")
        try record.bytes.withUnsafeBytes { try rejected?.write(line: $0, error: e) }
    }

    /// The error's carried reason; a record that reached voting already parsed as JSON, so an untyped
    /// error (the `malformed-json` default) is counted as a type problem, as `vote` always has.
    static func reasonKey(_ e: CurationError) -> String {
        let kind = e.rejectionReason
        return kind == .malformedJSON ? RejectionReason.wrongType.rawValue : kind.rawValue
    }

    static func voteList(_ record: RawRecord, _ options: VoteOptions) -> Outcome {
        var o = Outcome(inputs: 1)
        let s: SampleRecord
        do { s = try SampleRecord(record, defaultDataset: options.defaultDataset) } catch let e as CurationError {
            o.errors.append((record, e))
            return o
        } catch {
            o.errors.append((record, .badRecord(record.location, reason: "\(error)")))
            return o
        }
        let t = SelfConsistency.vote(completions: s.completions, groundTruth: s.groundTruth, dataset: s.dataset, options: options)
        o.tally = t
        o.source = s.source
        if t.dropReason == nil {
            var out = record
            if t.selected.count != s.completions.count {
                out = out.setting("completions", to: .array(t.selected.map { .string(s.completions[$0]) }))
                if case .array(let meta)? = try? record.value("completion_meta"), meta.count == s.completions.count {
                    out = out.setting("completion_meta", to: .array(t.selected.map { meta[$0] }))
                }
            }
            o.output = [out.setting("vote", to: voteJSON(t, selected: t.selected))]
        }
        return o
    }

    static func voteGroup(_ records: [RawRecord], _ options: VoteOptions) -> Outcome {
        var o = Outcome(inputs: records.count)
        var samples: [SampleRecord] = []
        for r in records {
            do { samples.append(try SampleRecord(r, defaultDataset: options.defaultDataset)) } catch let e as CurationError {
                o.errors.append((r, e))
            } catch {
                o.errors.append((r, .badRecord(r.location, reason: "\(error)")))
            }
        }
        guard let first = samples.first else { return o }
        let completions = samples.map { $0.completions.first ?? "" }
        let t = SelfConsistency.vote(completions: completions, groundTruth: first.groundTruth, dataset: first.dataset, options: options)
        o.tally = t
        o.source = first.source
        if t.dropReason == nil {
            let v = voteJSON(t, selected: nil)
            o.output = t.selected.map { samples[$0].record.setting("vote", to: v) }
        }
        return o
    }

    /// The `vote` field written on output records.
    static func voteJSON(_ t: VoteTally, selected: [Int]?) -> JSONValue {
        var v = JSONObject()
        v["answer"] = t.majorityAnswer.map { .string($0.text) } ?? .null
        v["rule"] = t.majorityAnswer.map { .string($0.rule.rawValue) } ?? .null
        v["votes"] = .int(t.votes)
        v["completions"] = .int(t.total)
        v["answered"] = .int(t.answered)
        v["agreement"] = .double((t.agreement * 10000).rounded() / 10000)
        v["groups"] = .int(t.groups.count)
        v["gold_match"] = t.goldMatch.map { .bool($0) } ?? .null
        if let s = selected { v["selected"] = .array(s.map { .int($0) }) }
        return .object(v)
    }
}
