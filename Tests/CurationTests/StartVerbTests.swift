import Testing
import Curation

/// IFBench's `words:start_verb`: the first token must be a verb (a tag containing VB in NLTK's
/// tagger; modals are MD). Decided here from a verb-form lexicon, with the next token deciding words
/// that are also nouns or adjectives.
@Suite struct StartVerbTests {
    @Test(arguments: [
        "Write a short poem about the sea.",
        "Does this count as a verb?",
        "Is it raining yet?",
        "Don't forget the milk.",       // "Do" + "n't"
        "Let's begin.",
        "Water the plants every morning.",
        "Answer my question first.",
        "Running is good exercise.",     // a gerund is tagged VBG
        "Please read the manual.",
        "Consider the lilies of the field.",
        "Used cars are cheaper.",
        "  Set up the tent before dark.",
    ])
    func startsWithAVerb(_ response: String) {
        #expect(VerbLexicon.startsWithVerb(response), "\(response)")
    }

    @Test(arguments: [
        "The lilies are nice.",
        "Water is wet.",
        "Love conquers all.",
        "Can you help me?",              // a modal: MD, not VB
        "Should we go?",
        "\"Write\" was the only instruction.",  // the quote is the first token
        "1. Write the plan.",
        "Summary: all done.",
        "Water",
        "",
        "   ",
        "Zxqv blorp.",                   // unknown word
    ])
    func doesNotStartWithAVerb(_ response: String) {
        #expect(!VerbLexicon.startsWithVerb(response), "\(response)")
    }

    @Test func checkerUsesTheLexicon() throws {
        let c = try #require(ConstraintRegistry.standard.checker("words:start_verb"))
        let b = try c.bind(JSONObject())
        #expect(b.check("Bring snacks.") == .pass)
        #expect(b.check("Snacks are welcome.") == .fail)
        #expect(b.description == "The response must start with a verb.")
    }

    @Test func longInputIsBounded() {
        let long = "Go " + String(repeating: "far ", count: 200_000)
        #expect(VerbLexicon.startsWithVerb(long))
    }
}
