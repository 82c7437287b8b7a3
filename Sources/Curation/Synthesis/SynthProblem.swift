/// One arithmetic operation of a word problem's chain. Every step takes the running amount and one new
/// number from the statement, and must leave a positive whole amount (divisions are exact): that is
/// what keeps every `<<a op b=c>>` annotation and the `#### N` line plain integer arithmetic.
public enum SynthOperation: String, Sendable, CaseIterable, Hashable {
    case add, sub, mul, div

    /// The sign written in annotations, as GSM8K writes them (`<<16-3-4=9>>`, `<<9*2=18>>`, `<<2/2=1>>`).
    public var symbol: String {
        switch self {
        case .add: return "+"
        case .sub: return "-"
        case .mul: return "*"
        case .div: return "/"
        }
    }

    /// `a op b`, or nil when the result would not be a positive whole number or would overflow.
    public func apply(_ a: Int, _ b: Int) -> Int? {
        switch self {
        case .add:
            let (r, o) = a.addingReportingOverflow(b)
            return o || r <= 0 ? nil : r
        case .sub:
            let (r, o) = a.subtractingReportingOverflow(b)
            return o || r <= 0 ? nil : r
        case .mul:
            let (r, o) = a.multipliedReportingOverflow(by: b)
            return o || r <= 0 ? nil : r
        case .div:
            guard b > 0, a % b == 0 else { return nil }
            let r = a / b
            return r <= 0 ? nil : r
        }
    }
}

/// One step of a problem: the operation and the number the statement gives for it.
public struct SynthStep: Sendable, Hashable {
    public var op: SynthOperation
    public var operand: Int
    public init(op: SynthOperation, operand: Int) { self.op = op; self.operand = operand }
}

/// A multi-step arithmetic word problem before it is worded: a start amount and a chain of steps. Its
/// canonical parameters (start and steps, not the wording) are what identify it: two problems with the
/// same numbers and operations are the same problem however they are told, so splits and ids are keyed
/// by these alone.
public struct SynthProblem: Sendable, Hashable {
    public let start: Int
    public let steps: [SynthStep]
    /// The latent difficulty in [0, 1) the problem was drawn with (see `SynthDifficulty`).
    public let latent: Double
    /// The running amount: the start, then the amount after each step (`values.count == steps.count + 1`).
    public let values: [Int]

    /// A problem whose chain is valid (every step leaves a positive whole amount), or nil.
    public init?(start: Int, steps: [SynthStep], latent: Double) {
        guard start > 0 else { return nil }
        var values = [start]
        for s in steps {
            guard let last = values.last, let next = s.op.apply(last, s.operand) else { return nil }
            values.append(next)
        }
        self.start = start
        self.steps = steps
        self.latent = latent
        self.values = values
    }

    /// The final amount: the gold answer.
    public var answer: Int { values.last ?? start }

    /// `s30+12*3/2`: the canonical parameters as text.
    public var canonicalKey: String {
        "s\(start)" + steps.map { $0.op.symbol + String($0.operand) }.joined()
    }

    /// The canonical parameters hashed under a fixed key (never the run seed), so the split a problem
    /// belongs to is the same in every run and for every seed.
    public var canonicalHash: UInt64 { XXH3.hash64(canonicalKey, seed: SynthSplit.partitionKey) }

    /// `synth-` and 16 hex digits of the canonical hash: stable across runs, counts and seeds.
    public var id: String { "synth-" + SynthHex.hex16(canonicalHash) }

    /// The operation mix, e.g. `add+mul+sub` (sorted, each once): the s1 pool's `domain`.
    public var domain: String {
        Set(steps.map(\.op)).map(\.rawValue).sorted().joined(separator: "+")
    }

    /// The largest number the statement gives.
    public var maxOperand: Int { max(start, steps.map(\.operand).max() ?? 0) }

    /// Draws a problem at latent `u` from `rng`. Operations are chosen among those that keep the chain
    /// valid and the numbers under `difficulty.maxValue`; division only by a divisor of the running amount.
    public static func sample(difficulty: SynthDifficulty, latent u: Double, rng: inout SplitMix64) -> SynthProblem? {
        let count = difficulty.steps(latent: u)
        let cap = difficulty.numberCap(latent: u)
        let fcap = difficulty.factorCap(latent: u)
        var value = rng.int(in: max(2, cap / 4)...cap)
        let start = value
        var steps: [SynthStep] = []
        for _ in 0..<count {
            var ops: [SynthOperation] = [.add]
            if value >= 3 { ops.append(.sub) }
            if value * 2 <= difficulty.maxValue { ops.append(.mul) }
            let divisors = (2...max(2, fcap)).filter { $0 < value && value % $0 == 0 }
            if !divisors.isEmpty { ops.append(.div) }
            guard let op = rng.pick(ops) else { return nil }
            let operand: Int
            switch op {
            case .add: operand = rng.int(in: 1...cap)
            case .sub: operand = rng.int(in: 1...max(1, min(cap, value - 1)))
            case .mul:
                let limit = max(2, min(fcap, difficulty.maxValue / max(1, value)))
                operand = rng.int(in: 2...limit)
            case .div: operand = rng.pick(divisors) ?? 2
            }
            guard let next = op.apply(value, operand), next <= difficulty.maxValue else { return nil }
            steps.append(SynthStep(op: op, operand: operand))
            value = next
        }
        return SynthProblem(start: start, steps: steps, latent: u)
    }
}

/// Fixed-width hex, for ids.
enum SynthHex {
    static func hex16(_ v: UInt64) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 16 - h.count)) + h
    }
}
