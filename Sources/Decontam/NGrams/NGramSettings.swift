import Curation

/// What an n-gram is: its length in normalised tokens and the normalisation. An index stores these,
/// and a scan refuses an index made with other settings (its n-gram hashes would never match).
public struct NGramSettings: Sendable, Hashable, Codable {
    /// Tokens per n-gram (8 by default: Tulu 3; s1 uses 8, datatrove 12, NeMo Curator 13).
    public var n: Int
    public var normalizer: TextNormalizer

    public init(n: Int = 8, normalizer: TextNormalizer = TextNormalizer()) {
        self.n = n
        self.normalizer = normalizer
    }

    /// How an n-gram is hashed: XXH3-64 (seed 0) of its tokens joined by single spaces.
    public static let hashDescription = "xxh3-64(tokens joined by ' ')"

    /// A one-line description, stored in indexes and reports and compared on scan.
    public var description: String { "n=\(n), normalization=\(normalizer.settingsKey), hash=\(NGramSettings.hashDescription)" }

    public func validate() throws {
        guard (1...64).contains(n) else { throw CurationError.invalidArgument("--ngram must be between 1 and 64, got \(n)") }
    }
}
