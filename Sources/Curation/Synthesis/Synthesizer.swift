/// Runs the task family: draws each needed split's problems, words them, and writes each asked output
/// through `write` (one call per record, in a fixed order). Rendering runs on `threads` threads over
/// problems whose every draw is keyed by (seed, problem), so the bytes do not depend on the thread count.
///
/// The report counts problems: in = candidate problems drawn, out = problems kept, dropped by reason
/// (`other-split`: its hash belongs to another split; `duplicate`; `invalid-chain`). What each output
/// received, and the teacher, planting and pool figures, are in its extra sections.
public struct Synthesizer: Sendable {
    public let options: SynthOptions
    public let personas: [Persona]

    public init(options: SynthOptions, personas: [Persona]) throws {
        try options.validate()
        self.options = options
        self.personas = personas
    }

    func wording(_ p: SynthProblem) -> SynthWording { SynthWording.choose(for: p, personas: personas, seed: options.seed) }

    public func run(threads: Int, write: (SynthOutput, JSONValue) throws -> Void) throws -> StageReport {
        var report = StageReport(stage: "synth")
        report.settings = options.json.objectValue.map { Dictionary($0.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }) } ?? [:]
        let want = Set(options.outputs)
        let o = options
        var sets: [SynthSplit: SynthProblemSet] = [:]
        var needed: [(SynthSplit, Int)] = []
        if want.contains(.eval) || (want.contains(.train) && o.plant.enabled) { needed.append((.eval, o.evalCount)) }
        if !want.isDisjoint(with: [.train, .samples, .pool, .prompts]) { needed.append((.train, o.trainCount)) }
        if want.contains(.pretrain) { needed.append((.pretrain, o.pretrainCount)) }
        var splits = JSONObject()
        for (split, count) in needed {
            let set = try SynthProblemSource.generate(split: split, count: count, difficulty: o.difficulty, seed: o.seed)
            sets[split] = set
            report.recordsIn += set.candidates
            report.recordsOut += set.problems.count
            report.drop("other-split", count: set.otherSplit)
            report.drop("duplicate", count: set.duplicates)
            report.drop("invalid-chain", count: set.invalid)
            splits[split.rawValue] = .object(JSONObject([
                .init(key: "problems", value: .int(set.problems.count)), .init(key: "candidates", value: .int(set.candidates)),
                .init(key: "other_split", value: .int(set.otherSplit)), .init(key: "duplicates", value: .int(set.duplicates)),
                .init(key: "invalid", value: .int(set.invalid)),
            ]))
        }
        report.extra["splits"] = .object(splits)
        var written = JSONObject()
        let evalProblems = sets[.eval]?.problems ?? []
        let trainProblems = sets[.train]?.problems ?? []
        for output in o.outputs {
            var n = 0
            func emit(_ v: JSONValue) throws { try write(output, v); n += 1 }
            switch output {
            case .eval:
                // The kind each eval item is planted with in train under the same settings (the plan depends on
                // the seed, items and kinds, not the dose), so graded items can be split planted vs clean.
                var plantedKind: [String: SynthPlantKind] = [:]
                for entry in SynthContamination.plan(eval: evalProblems, options: o.plant, seed: o.seed) { plantedKind[entry.problem.id] = entry.kind }
                for v in map(evalProblems, threads: threads, { p in
                    let w = wording(p)
                    return SynthRecords.eval(p, question: SynthTemplates.question(p, w), wording: w, plantedKind: plantedKind[p.id])
                }) { try emit(v) }
                if o.plant.enabled {
                    report.extra["eval_planted"] = .object(JSONObject(o.plant.kinds.map { k in
                        .init(key: k.rawValue, value: .int(plantedKind.values.filter { $0 == k }.count))
                    }))
                }
            case .pretrain:
                for v in map(sets[.pretrain]?.problems ?? [], threads: threads, { p in
                    let w = wording(p)
                    return SynthRecords.pretrain(p, question: SynthTemplates.question(p, w), answer: SynthTemplates.solution(SynthWork.gold(p), w), wording: w)
                }) { try emit(v) }
            case .prompts:
                for v in map(trainProblems, threads: threads, { p in
                    let w = wording(p)
                    return SynthRecords.prompt(p, question: SynthTemplates.question(p, w), wording: w)
                }) { try emit(v) }
            case .train:
                for v in try trainRecords(train: trainProblems, eval: evalProblems, threads: threads, report: &report) { try emit(v) }
            case .samples:
                let teacher = SynthTeacher(options: o.teacher, seed: o.seed, meanLatent: SynthTeacher.meanLatent(trainProblems))
                let results = map(trainProblems, threads: threads) { p -> (JSONValue, SynthTeaching) in
                    let w = wording(p)
                    let t = teacher.teach(p, wording: w)
                    return (SynthRecords.samples(p, question: SynthTemplates.question(p, w), teaching: t, wording: w), t)
                }
                var stats = SynthTeacherStatistics()
                for (v, t) in results { stats.add(t, gold: nil); try emit(v) }
                for (p, r) in zip(trainProblems, results) { stats.addMajority(r.1, gold: p.answer) }
                report.extra["teacher"] = stats.json
            case .pool:
                let results = map(trainProblems, threads: threads) { p -> (JSONValue, SynthPoolItem) in
                    let w = wording(p)
                    let item = SynthPool.item(p, wording: w, question: SynthTemplates.question(p, w), options: o.pool, seed: o.seed)
                    return (SynthRecords.pool(p, item: item, wording: w), item)
                }
                var defects = [String: Int]()
                var solved = 0
                for (v, item) in results {
                    if let d = item.defect { defects[d.rawValue, default: 0] += 1 }
                    if item.solvedByWeakSolver { solved += 1 }
                    try emit(v)
                }
                report.extra["pool"] = .object(JSONObject([
                    .init(key: "items", value: .int(results.count)),
                    .init(key: "solved_by_weak_solver", value: .int(solved)),
                    .init(key: "defects", value: .object(JSONObject(defects.keys.sorted().map { .init(key: $0, value: .int(defects[$0] ?? 0)) }))),
                ]))
            }
            written[output.rawValue] = .int(n)
        }
        report.extra["outputs"] = .object(written)
        return report
    }

    /// The training pool: the train split's chat records and the planted copies, ordered by a hash of
    /// (seed, id) so planted records sit among the others rather than at the end.
    func trainRecords(train: [SynthProblem], eval: [SynthProblem], threads: Int, report: inout StageReport) throws -> [JSONValue] {
        let o = options
        var keyed: [(UInt64, String, JSONValue)] = map(train, threads: threads) { p in
            let w = wording(p)
            let v = SynthRecords.train(p, question: SynthTemplates.question(p, w), answer: SynthTemplates.solution(SynthWork.gold(p), w), wording: w)
            return (XXH3.hash64(p.id, seed: o.seed), p.id, v)
        }
        if o.plant.enabled {
            let plan = SynthContamination.plan(eval: eval, options: o.plant, seed: o.seed)
            let evalKeys = Set(eval.map(\.canonicalKey))
            let fillers = train.prefix(200).map { SynthTemplates.question($0, wording($0)) }
            let plants = map(plan.map { ($0.kind, $0.problem) }, threads: threads) { kind, p in
                SynthContamination.copies(kind: kind, problem: p, wording: wording(p), dose: o.plant.dose, difficulty: o.difficulty,
                                          fillers: fillers, evalKeys: evalKeys, seed: o.seed)
            }
            var perKind = [SynthPlantKind: (items: Int, copies: Int)]()
            for (entry, copies) in zip(plan, plants) {
                var c = perKind[entry.kind] ?? (0, 0)
                c.items += 1
                c.copies += copies.count
                perKind[entry.kind] = c
                for plant in copies { keyed.append((XXH3.hash64(plant.id, seed: o.seed), plant.id, SynthRecords.planted(plant))) }
            }
            report.extra["planted"] = .object(JSONObject(o.plant.kinds.map { k in
                .init(key: k.rawValue, value: .object(JSONObject([
                    .init(key: "items", value: .int(perKind[k]?.items ?? 0)), .init(key: "records", value: .int(perKind[k]?.copies ?? 0)),
                    .init(key: "dose", value: .int(o.plant.dose)), .init(key: "contamination", value: .bool(k.isContamination)),
                ])))
            }))
        }
        keyed.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return keyed.map(\.2)
    }

    func map<T, R>(_ items: [T], threads: Int, _ f: (T) -> R) -> [R] {
        OrderedParallel<T, R>.map(items, threads: threads, f)
    }
}

/// The teacher's realised figures, for the report: single-sample error rate, systematic share, how often
/// the majority of a problem's samples is wrong.
public struct SynthTeacherStatistics: Sendable {
    public var problems = 0
    public var samples = 0
    public var wrongSamples = 0
    public var systematicProblems = 0
    public var mistakes: [String: Int] = [:]
    /// Problems where more than half the samples agree on a wrong answer.
    public var wrongMajorities = 0
    public var systematicWrongMajorities = 0

    public init() {}

    public mutating func add(_ t: SynthTeaching, gold: Int?) {
        problems += 1
        samples += t.samples.count
        if t.systematic { systematicProblems += 1 }
        for s in t.samples {
            if s.systematic { wrongSamples += 1; mistakes["systematic", default: 0] += 1 }
            else if let m = s.mistake { wrongSamples += 1; mistakes[m.rawValue, default: 0] += 1 }
        }
    }

    public mutating func addMajority(_ t: SynthTeaching, gold: Int) {
        var counts: [Int: Int] = [:]
        for s in t.samples { counts[s.answer, default: 0] += 1 }
        guard let top = counts.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) else { return }
        if top.key != gold && top.value * 2 > t.samples.count {
            wrongMajorities += 1
            if t.systematic { systematicWrongMajorities += 1 }
        }
    }

    public var sampleErrorRate: Double { samples == 0 ? 0 : Double(wrongSamples) / Double(samples) }
    public var systematicShare: Double { problems == 0 ? 0 : Double(systematicProblems) / Double(problems) }

    public var json: JSONValue {
        func r(_ x: Double) -> JSONValue { .double((x * 10000).rounded() / 10000) }
        return .object(JSONObject([
            .init(key: "problems", value: .int(problems)), .init(key: "samples", value: .int(samples)),
            .init(key: "wrong_samples", value: .int(wrongSamples)), .init(key: "sample_error_rate", value: r(sampleErrorRate)),
            .init(key: "systematic_problems", value: .int(systematicProblems)), .init(key: "systematic_share", value: r(systematicShare)),
            .init(key: "wrong_majorities", value: .int(wrongMajorities)),
            .init(key: "systematic_wrong_majorities", value: .int(systematicWrongMajorities)),
            .init(key: "mistakes", value: .object(JSONObject(mistakes.keys.sorted().map { .init(key: $0, value: .int(mistakes[$0] ?? 0)) }))),
        ]))
    }
}
