/// IFBench's two instructions that need word knowledge beyond the text itself: syllable counts
/// (`SyllableCounter`, syllapy's table and rule) and whether the first word is a verb
/// (`VerbLexicon`, a lemminflect verb-form lexicon standing in for NLTK's tagger).
enum IFBenchLexiconInstructions {
    static func obj(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONObject { JSONObject(pairs) }

    static let all: [InstructionChecker] = [
        InstructionChecker("words:odd_even_syllables", sample: { _ in obj([:]) }) { _ in
            ("Alternate between words with odd and even numbers of syllables.", { r in
                // IFBench: punctuation removed, lowercased, whitespace-split; each word's syllable parity
                // must differ from the next one's.
                let parities = TextUnits.splitWords(r).map { SyllableCounter.count($0) % 2 }
                guard !parities.isEmpty else { return false }  // the reference passes a response without words
                return parities.indices.dropLast().allSatisfy { parities[$0] != parities[$0 + 1] }
            })
        },
        InstructionChecker("words:start_verb", sample: { _ in obj([:]) }) { _ in
            ("The response must start with a verb.", { r in VerbLexicon.startsWithVerb(r) })
        },
    ]
}
