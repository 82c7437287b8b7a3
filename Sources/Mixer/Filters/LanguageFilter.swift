import Curation

/// Keeps the records whose text (`RecordText.text(of:)`) is in one of `languages` by `LanguageID`, with at
/// least `minConfidence`. A recipe writes it `{language: [en], min_confidence: 0.65}`.
///
/// Why a confidence floor and not just the language: short, mixed or code-heavy texts get a best guess with a
/// low confidence; a mix that wants English should drop those rather than keep a coin toss. Drop reasons are
/// counted per detected language, so a report shows what the filter removed ("language fr not in [en]").
public struct LanguageFilter: Sendable, Equatable, CustomStringConvertible {
    /// ISO 639-1 codes to keep.
    public var languages: [String]
    /// Confidence in [0, 1] a kept record needs at least.
    public var minConfidence: Double

    /// The default floor: below it the identifier's answers are right about as often as wrong on the held-out
    /// set (Benchmarks/langid_bench.last.txt: mean confidence of wrong answers is about 0.55).
    public static let defaultMinConfidence = 0.65

    public init(languages: [String], minConfidence: Double = LanguageFilter.defaultMinConfidence) {
        self.languages = languages
        self.minConfidence = minConfidence
    }

    /// The reason `text` fails, or nil when it passes.
    public func failure(_ text: String) -> String? {
        guard let guess = LanguageID.identify(text) else { return "language undetermined" }
        guard languages.contains(guess.language) else { return "language \(guess.language) not in [\(languages.joined(separator: ", "))]" }
        guard guess.confidence >= minConfidence else { return "language confidence < \(minConfidence)" }
        return nil
    }

    public var description: String { "language in [\(languages.joined(separator: ", "))], min_confidence \(minConfidence)" }
}
