import Curation

/// Language identification over arbitrary bytes (both models: the character n-grams and, for close calls, the
/// word frequencies). Invariants: a guess names a supported language with a confidence in [0, 1], and the same
/// bytes give the same guess.
enum LanguageIDTarget: FuzzTarget {
    static let name = "langid"
    static let supported = Set(LanguageID.supportedLanguages)

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let guess = LanguageID.identify(utf8: bytes)
        if let guess {
            invariant(supported.contains(guess.language), "unknown language \(guess.language)")
            invariant(guess.confidence >= 0 && guess.confidence <= 1, "confidence \(guess.confidence) outside [0, 1]")
        }
        invariant(LanguageID.identify(utf8: bytes) == guess, "two calls on the same bytes disagree")
    }
}
