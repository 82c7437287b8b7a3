import Curation

/// How the next token is drawn from the logits.
public struct SamplingOptions: Sendable, Hashable {
    /// 0 (or below) means greedy: the most likely token, lowest id on ties.
    public var temperature: Double
    /// Nucleus: the smallest set of most likely tokens whose mass reaches top_p (1 = off).
    public var topP: Double
    /// Only the k most likely tokens (0 = off). Applied before top_p, as transformers does.
    public var topK: Int
    public var seed: UInt64

    public init(temperature: Double = 0.7, topP: Double = 1, topK: Int = 0, seed: UInt64 = 0) {
        self.temperature = temperature; self.topP = topP; self.topK = topK; self.seed = seed
    }

    public static let greedy = SamplingOptions(temperature: 0)

    /// Temperatures at or below this are greedy. Why: 1/T overflows a Float for T <= ~2.9e-39 (then
    /// 0 * inf is NaN at the top logit and the draw came out uniform), and long before that every logit
    /// gap is scaled past certainty, so greedy is what such a temperature means.
    public static let greedyTemperature = 1e-30
}

/// Draws tokens. Each sample owns a `SplitMix64` stream seeded from (seed, prompt id, sample index),
/// so what a sample draws never depends on the batch it was decoded in or on the other prompts.
public enum Sampler {
    /// The stream of sample `index` of the prompt `promptID`.
    public static func stream(seed: UInt64, promptID: String, sampleIndex: Int) -> SplitMix64 {
        var mix = SplitMix64(seed: seed ^ XXH3.hash64(promptID, seed: 0x5EED))
        let a = mix.next()
        var s = SplitMix64(seed: a &+ UInt64(sampleIndex) &* 0x9E37_79B9_7F4A_7C15)
        _ = s.next()
        return s
    }

    /// Picks a token from `logits` (`vocab` entries; modified in place into scaled probabilities).
    public static func sample(_ logits: UnsafeMutablePointer<Float>, vocab: Int, options o: SamplingOptions,
                              rng: inout SplitMix64) -> Int32 {
        var best = 0
        var m = -Float.infinity
        for i in 0..<vocab where logits[i] > m { m = logits[i]; best = i }
        // `!(T > threshold)` is also true for a NaN temperature.
        if !(o.temperature > SamplingOptions.greedyTemperature) || m == -Float.infinity { return Int32(best) }
        // Probabilities (unnormalised) of the tempered logits; masked tokens (-inf) get 0. The scale is
        // finite here (T > 1e-30); an infinite T gives scale 0, i.e. uniform over unmasked tokens.
        let invT = Float(1 / o.temperature)
        var total = 0.0
        let mv = Vec8(repeating: m), tv = Vec8(repeating: invT), ninf = Vec8(repeating: -Float.infinity)
        var i = 0
        while i + 8 <= vocab {
            let x = load8(logits + i)
            let e = exp8((x - mv) * tv).replacing(with: 0, where: x .== ninf)
            store8(e, logits + i)
            total += Double(e.sum())
            i += 8
        }
        while i < vocab {
            let e = logits[i] == -Float.infinity ? 0 : exp1((logits[i] - m) * invT)
            logits[i] = e
            total += Double(e)
            i += 1
        }
        let u = rng.nextUnit()
        let restrictK = o.topK > 0 && o.topK < vocab
        let restrictP = o.topP < 1
        if !restrictK && !restrictP {
            var target = u * total, last = best
            for i in 0..<vocab where logits[i] > 0 {
                last = i
                target -= Double(logits[i])
                if target < 0 { return Int32(i) }
            }
            return Int32(last)
        }
        // Candidates above a threshold, sorted; the threshold is lowered until they provably contain
        // the top-k set and the nucleus (a sorted prefix of all tokens is a sorted prefix of them).
        var threshold: Float = 1e-4
        var cands: [(p: Float, id: Int32)] = []
        while true {
            cands.removeAll(keepingCapacity: true)
            var mass = 0.0
            for i in 0..<vocab where logits[i] >= threshold && logits[i] > 0 {
                cands.append((logits[i], Int32(i)))
                mass += Double(logits[i])
            }
            let enoughK = !restrictK || cands.count >= o.topK
            let enoughP = restrictK || !restrictP || mass >= o.topP * total
            if (enoughK && enoughP) || threshold == 0 { break }
            threshold = threshold < 1e-30 ? 0 : threshold / 64
        }
        cands.sort { $0.p != $1.p ? $0.p > $1.p : $0.id < $1.id }
        if restrictK && cands.count > o.topK { cands.removeLast(cands.count - o.topK) }
        var keep = cands.count
        if restrictP {
            let kMass = cands.reduce(0.0) { $0 + Double($1.p) }
            var cum = 0.0
            for (i, c) in cands.enumerated() {
                cum += Double(c.p)
                if cum >= o.topP * kMass { keep = i + 1; break }
            }
        }
        let nucleus = cands[0..<max(1, keep)]
        var target = u * nucleus.reduce(0.0) { $0 + Double($1.p) }
        for c in nucleus {
            target -= Double(c.p)
            if target < 0 { return c.id }
        }
        return nucleus.last?.id ?? Int32(best)
    }
}
