/// How an eval item is planted into the training pool. The first three are contamination (the eval
/// problem with its worked answer, in some disguise); `nearMiss` is not: the same wording with other
/// numbers, a different problem that a detector should leave alone (it measures precision).
public enum SynthPlantKind: String, Sendable, CaseIterable, Hashable {
    /// The eval question and worked answer as a chat record, byte for byte.
    case verbatim
    /// The same text in upper case, lower case or title case (by copy).
    case recased
    /// The same text inside other text: other training problems before and after it.
    case embedded
    /// The eval problem's wording with every number changed: a different problem.
    case nearMiss = "near_miss"

    public var isContamination: Bool { self != .nearMiss }
}

/// What to plant: `items` eval items per kind, each planted `dose` times (copies). Each eval item is
/// planted with one kind only, so per-kind detection rates and false positives can be read off the labels.
public struct SynthPlantOptions: Sendable, Hashable {
    public var dose: Int
    public var items: Int
    public var kinds: [SynthPlantKind]

    public init(dose: Int = 1, items: Int = 0, kinds: [SynthPlantKind] = SynthPlantKind.allCases) {
        self.dose = dose
        self.items = items
        self.kinds = kinds
    }

    public static let doseLimit = 1...1000

    public func validate(evalCount: Int) throws {
        guard Self.doseLimit.contains(dose) else { throw SynthError.outOfRange(.plantDose, "should be in 1...1000, got \(dose)") }
        guard items >= 0 else { throw SynthError.outOfRange(.plantItems, "should be 0 or more, got \(items)") }
        guard !kinds.isEmpty || items == 0 else { throw SynthError.outOfRange(.plantKinds, "should name at least one kind when items are planted") }
        guard Set(kinds).count == kinds.count else { throw SynthError.outOfRange(.plantKinds, "names a kind twice") }
        guard items * kinds.count <= evalCount else {
            throw SynthError.outOfRange(.plantItems, "x \(kinds.count) kinds should be at most the eval count (\(evalCount)), got \(items)")
        }
    }

    public var enabled: Bool { items > 0 && !kinds.isEmpty }
}

/// One planted copy.
public struct SynthPlant: Sendable, Hashable {
    public var kind: SynthPlantKind
    public var evalID: String
    public var copy: Int
    public var user: String
    public var assistant: String
    /// For a near-miss: the changed problem's canonical parameters and answer.
    public var nearMissKey: String?
    public var nearMissAnswer: Int?

    public var id: String { "planted-\(kind.rawValue)-\(evalID)-\(copy)" }
}

public enum SynthContamination {
    /// Which eval items get which kind: eval problems ordered by a hash of (seed, id), the first `items`
    /// to the first kind, the next `items` to the second, and so on.
    public static func plan(eval: [SynthProblem], options: SynthPlantOptions, seed: UInt64) -> [(kind: SynthPlantKind, problem: SynthProblem)] {
        guard options.enabled else { return [] }
        let ordered = eval.sorted {
            let a = XXH3.hash64($0.id, seed: seed ^ 0x504C_414E), b = XXH3.hash64($1.id, seed: seed ^ 0x504C_414E)
            return a != b ? a < b : $0.id < $1.id
        }
        var out: [(SynthPlantKind, SynthProblem)] = []
        for (k, kind) in options.kinds.enumerated() {
            for p in ordered.dropFirst(k * options.items).prefix(options.items) { out.append((kind, p)) }
        }
        return out
    }

    /// The `dose` copies of one planted eval item. `fillers` are other training questions (for embedding);
    /// `evalKeys` the eval set's canonical keys, which a near-miss must avoid.
    public static func copies(kind: SynthPlantKind, problem: SynthProblem, wording: SynthWording, dose: Int, difficulty: SynthDifficulty,
                              fillers: [String], evalKeys: Set<String>, seed: UInt64) -> [SynthPlant] {
        let question = SynthTemplates.question(problem, wording)
        let answer = SynthTemplates.solution(SynthWork.gold(problem), wording)
        var out: [SynthPlant] = []
        out.reserveCapacity(dose)
        for c in 0..<dose {
            var rng = SplitMix64(seed: seed ^ 0x434F_5059 ^ XXH3.hash64(kind.rawValue), stream: problem.canonicalHash &+ UInt64(c))
            var plant = SynthPlant(kind: kind, evalID: problem.id, copy: c, user: question, assistant: answer)
            switch kind {
            case .verbatim: break
            case .recased:
                plant.user = recase(question, copy: c)
                plant.assistant = recase(answer, copy: c)
            case .embedded:
                let before = fillers.isEmpty ? "" : fillers[Int(rng.below(UInt64(fillers.count)))]
                let after = fillers.isEmpty ? "" : fillers[Int(rng.below(UInt64(fillers.count)))]
                plant.user = [before, "Here is another one from my notes. " + question, after].filter { !$0.isEmpty }.joined(separator: "\n\n")
                plant.assistant = "Working on the second problem: " + answer
            case .nearMiss:
                if let changed = nearMiss(problem, difficulty: difficulty, avoid: evalKeys, rng: &rng) {
                    plant.user = SynthTemplates.question(changed, wording)
                    plant.assistant = SynthTemplates.solution(SynthWork.gold(changed), wording)
                    plant.nearMissKey = changed.canonicalKey
                    plant.nearMissAnswer = changed.answer
                } else {
                    continue
                }
            }
            out.append(plant)
        }
        return out
    }

    /// Upper case, lower case, or each word capitalised, by copy: what a detector's case folding must undo.
    public static func recase(_ text: String, copy: Int) -> String {
        switch copy % 3 {
        case 0: return text.uppercased()
        case 1: return text.lowercased()
        default: return text.split(separator: " ", omittingEmptySubsequences: false).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        }
    }

    /// The problem's operations with every number moved a little (divisors re-chosen among the running
    /// amount's divisors), so it reads the same and is a different problem, not in the eval set.
    public static func nearMiss(_ p: SynthProblem, difficulty: SynthDifficulty, avoid: Set<String>, rng: inout SplitMix64) -> SynthProblem? {
        func nudge(_ x: Int) -> Int {
            let step = max(1, x / 5)
            let d = Int(rng.below(UInt64(step))) + 1
            return rng.below(2) == 0 || x - d < 1 ? x + d : x - d
        }
        for _ in 0..<20 {
            var value = nudge(p.start)
            let start = value
            var steps: [SynthStep] = []
            var ok = true
            for s in p.steps {
                var b: Int
                switch s.op {
                case .add: b = nudge(s.operand)
                case .sub: b = min(nudge(s.operand), value - 1)
                case .mul: b = max(2, min(12, nudge(s.operand)))
                case .div:
                    let divisors = (2...12).filter { $0 < value && value % $0 == 0 }
                    b = divisors.contains(s.operand) ? s.operand : (rng.pick(divisors) ?? 0)
                }
                guard b > 0, let next = s.op.apply(value, b), next <= difficulty.maxValue else { ok = false; break }
                steps.append(SynthStep(op: s.op, operand: b))
                value = next
            }
            guard ok, let q = SynthProblem(start: start, steps: steps, latent: p.latent),
                  q.canonicalKey != p.canonicalKey, !avoid.contains(q.canonicalKey) else { continue }
            return q
        }
        return nil
    }
}
