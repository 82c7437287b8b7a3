import Testing
import Curation

/// IFBench's `format:quote_unquote`: two quotes may not touch (once whitespace is gone) and the
/// response may not end on a quote (trailing digits and punctuation aside); text without quotes
/// passes.
@Suite struct QuoteUnquoteTests {
    func check(_ response: String) throws -> ConstraintOutcome {
        let c = try #require(ConstraintRegistry.standard.checker("format:quote_unquote"))
        return try c.bind(JSONObject()).check(response)
    }

    @Test func quoteThenExplanationPasses() throws {
        #expect(try check("\"Carpe diem\" urges us to act today.") == .pass)
        #expect(try check("She wrote \"later\", meaning never, and \"soon\", meaning later.") == .pass)
    }

    @Test func textWithoutQuotesPasses() throws {
        #expect(try check("") == .pass)
        #expect(try check("No quotation at all here.") == .pass)
        #expect(try check("42!?") == .pass)
    }

    @Test func endingOnAQuoteFails() throws {
        #expect(try check("The motto is \"carpe diem\"") == .fail)
        // Trailing punctuation and digits are stripped before looking at the last character.
        #expect(try check("The motto is \"carpe diem\".") == .fail)
        #expect(try check("The motto is \"carpe diem\" 2024.") == .fail)
        #expect(try check("  \"Only a quote.\"  \n") == .fail)
    }

    @Test func adjacentQuotedPhrasesFail() throws {
        #expect(try check("\"One\" \"two\" are words.") == .fail)
        #expect(try check("\"One\"\n\n\"two\" are words.") == .fail)
    }

    @Test func mentionsOfTheQuoteCharacterAreIgnored() throws {
        #expect(try check("The character '\"' opens a quotation.") == .pass)
        #expect(try check("Write '\"' then \"text\" then explain it.") == .pass)
    }

    @Test func curlyQuotesAreNotQuotes() throws {
        // IFBench's normalisation of curly quotes is a no-op, so a phrase in curly quotes at the end passes there.
        #expect(try check("The motto is \u{201C}carpe diem\u{201D}") == .pass)
    }
}
