/// Near-duplicate removal and seeded sampling of personas (DESIGN.md section 5: personas are
/// deduplicated; every sampling decision is keyed by (seed, id), not by position).
public enum PersonaSelection {
    /// Persona Hub's MinHash settings: word 1-grams (personas are one sentence, so longer shingles
    /// would make a one-word change look like a new persona), Jaccard threshold 0.9.
    public static let defaultDedupe = MinHashOptions(shingleSize: 1, permutations: 128, threshold: 0.9)

    /// The result of deduplication: the kept personas (input order) and each dropped one with the
    /// kept persona it duplicates.
    public struct Dedupe: Sendable {
        public var kept: [Persona]
        public var dropped: [(persona: Persona, duplicateOf: String, jaccard: Double)]
        public init(kept: [Persona], dropped: [(persona: Persona, duplicateOf: String, jaccard: Double)]) {
            self.kept = kept
            self.dropped = dropped
        }
    }

    /// Drops near-duplicate personas, keeping the first of each group in input order.
    public static func dedupe(_ personas: [Persona], options: MinHashOptions = defaultDedupe, threads: Int = 1) throws -> Dedupe {
        let filter = try NearDuplicateFilter(options: options)
        let r = filter.filter(personas, threads: threads, text: \.text, id: \.id)
        return Dedupe(kept: r.kept, dropped: r.dropped.map { (persona: $0.item, duplicateOf: $0.duplicateOf, jaccard: $0.jaccard) })
    }

    /// One synthesis slot: a persona and its round (0 on the first pass over the personas; more passes
    /// are made when `count` exceeds the number of personas).
    public struct Slot: Sendable, Hashable {
        public var persona: Persona
        public var round: Int
        public init(persona: Persona, round: Int) {
            self.persona = persona
            self.round = round
        }
    }

    /// Picks `count` slots: personas ranked by a hash of (seed, id), lowest first, cycling through the
    /// ranking again when `count` is larger. The pick for a persona does not depend on the file order or
    /// on the other personas present, only on which personas rank lower.
    public static func sample(_ personas: [Persona], count: Int, seed: UInt64) -> [Slot] {
        guard count > 0, !personas.isEmpty else { return [] }
        let ranked = personas.map { (key: XXH3.hash64($0.id, seed: seed), persona: $0) }
            .sorted { $0.key != $1.key ? $0.key < $1.key : $0.persona.id < $1.persona.id }
        return (0..<count).map { i in Slot(persona: ranked[i % ranked.count].persona, round: i / ranked.count) }
    }
}
