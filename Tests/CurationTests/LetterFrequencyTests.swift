import Testing
import Curation

/// `keywords:letter_frequency` with "letters" that are not letters: IFEval accepts any single
/// non-whitespace character and counts it in the lowercased response.
@Suite struct LetterFrequencyTests {
    let checker = ConstraintRegistry.standard.checker("keywords:letter_frequency")

    func bind(_ letter: String, _ n: Int, _ relation: String) throws -> BoundInstruction {
        let c = try #require(checker)
        return try c.bind(JSONObject(["letter": .string(letter), "let_frequency": .int(n), "let_relation": .string(relation)]))
    }

    @Test func hashSign() throws {
        let b = try bind("#", 3, "at least")
        #expect(b.check("#tag1 #tag2 #tag3") == .pass)
        #expect(b.check("#tag1 and #tag2 only") == .fail)
        #expect(b.description.contains("letter #"))
    }

    @Test func digitsAndPunctuation() throws {
        #expect(try bind("7", 2, "less than").check("Flight 712 leaves at noon.") == .pass)
        #expect(try bind("7", 2, "less than").check("Gate 77.") == .fail)
        #expect(try bind("?", 2, "at least").check("Why? Why not?") == .pass)
        #expect(try bind("!", 1, "at least").check("Calm down.") == .fail)
    }

    @Test func caseIsIgnored() throws {
        // The kwarg and the response are both lowercased, as IFEval does.
        let b = try bind("E", 3, "at least")
        #expect(b.check("EERIE") == .pass)
        #expect(b.check("Eve") == .fail)
    }

    @Test func nonASCIICharactersCountAsOne() throws {
        #expect(try bind("é", 2, "at least").check("Café, résumé.") == .pass)
        #expect(try bind("🙂", 2, "at least").check("Hi 🙂 there 🙂") == .pass)
        #expect(try bind("🙂", 2, "at least").check("Hi 🙂 there") == .fail)
    }

    @Test func surroundingWhitespaceIsTrimmed() throws {
        #expect(try bind(" % ", 1, "at least").check("100%") == .pass)
    }

    @Test func zeroFrequencyIsValid() throws {
        #expect(try bind("z", 0, "at least").check("nothing here") == .pass)
        #expect(try bind("z", 0, "less than").check("nothing here") == .fail)
    }

    @Test func moreThanOneCharacterOrNoneIsRejected() throws {
        for bad in ["ab", "##", " ", ""] {
            #expect(throws: ConstraintError.self, "\(bad)") { try bind(bad, 1, "at least") }
        }
        #expect(throws: ConstraintError.self) { try bind("a", -1, "at least") }
    }
}
