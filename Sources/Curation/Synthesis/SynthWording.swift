/// How one problem is told: in whose voice, about what, and which sentence variant each part uses.
/// Chosen by a hash of (seed, problem id), so a problem is worded the same way every time it is rendered
/// in a run (the eval copy and its planted copies, the training record and its teacher samples), and
/// differently under another seed.
public struct SynthWording: Sendable, Hashable {
    public var persona: Persona?
    /// The plural noun the amounts count ("jars of honey").
    public var item: String
    public var startVariant: Int
    public var stepVariants: [Int]
    public var questionVariant: Int
    /// The sentence variant of the gold worked answer's lines.
    public var solutionStyle: Int

    public static func choose(for problem: SynthProblem, personas: [Persona], seed: UInt64) -> SynthWording {
        var rng = SplitMix64(seed: seed ^ 0x574F_5244, stream: problem.canonicalHash)
        let persona = personas.isEmpty ? nil : personas[Int(rng.below(UInt64(personas.count)))]
        let item = SynthTemplates.items[Int(rng.below(UInt64(SynthTemplates.items.count)))]
        let start = Int(rng.below(UInt64(SynthTemplates.start.count)))
        let steps = problem.steps.map { Int(rng.below(UInt64(SynthTemplates.statement($0.op).count))) }
        let question = Int(rng.below(UInt64(SynthTemplates.question.count)))
        let style = Int(rng.below(UInt64(SynthTemplates.lineVariants)))
        return SynthWording(persona: persona, item: item, startVariant: start, stepVariants: steps, questionVariant: question, solutionStyle: style)
    }
}
