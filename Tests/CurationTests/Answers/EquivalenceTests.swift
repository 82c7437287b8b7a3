import Testing
import Curation

struct EquivalenceTests {
    func eq(_ a: String, _ b: String) -> Bool { AnswerEquivalence.equivalent(a, b) }

    @Test(arguments: [
        // numbers: separators, signs, trailing zeros
        ("1,234", "1234"), ("1{,}234", "1234"), ("1\\,234", "1234"), ("-5", "−5"), ("+3", "3"), ("2.50", "2.5"), ("7", "7.000"), ("0", "-0"),
        // decimals vs fractions
        ("0.5", "1/2"), ("0.5", "\\frac{1}{2}"), ("\\dfrac12", "0.5"), (".25", "\\tfrac{1}{4}"), ("-\\frac{3}{4}", "\\frac{-3}{4}"), ("2\\frac{1}{2}", "5/2"),
        // percentages
        ("50\\%", "0.5"), ("50\\%", "50"), ("12.5%", "\\frac{1}{8}"),
        // units, text, spacing, \left/\right, degrees
        ("18 \\text{ dollars}", "18"), ("\\$18.00", "18"), ("5\\text{ cm}^2", "5"), ("\\text{(C)}", "C"), ("\\left( 1, 2 \\right)", "(1,2)"),
        ("3\\!\\cdot\\!4", "12"), ("30^\\circ", "30"), ("30^{\\circ}", "30 degrees"), ("\\mathrm{12}", "12"),
        // pi and roots
        ("2\\pi", "\\pi \\cdot 2"), ("\\frac{\\pi}{2}", "0.5\\pi"), ("\\sqrt{8}", "2\\sqrt{2}"), ("\\sqrt2/2", "\\frac{1}{\\sqrt{2}}"), ("\\sqrt[3]{27}", "3"),
        // expressions and variables
        ("2^{10}", "1024"), ("3x+1", "1+3x"), ("(x+1)^2", "x^2+2x+1"), ("x = 4", "4"), ("10^{2^n-n-1}", "10^{2^{n}-n-1}"),
        // intervals, tuples, sets
        ("[1, 2)", "[1,2)"), ("(-\\infty, 0] \\cup (1, \\infty)", "(1,+\\infty)\\cup(-\\infty,0]"), ("\\{1,2,3\\}", "\\{3,2,1\\}"), ("1, 2", "2, 1"),
        ("2 \\pm \\sqrt{3}", "2-\\sqrt3, 2+\\sqrt3"),
        // issue 15: a repeated solution counts once; a decimal written to 6 places matches at 6 (math-verify's default)
        ("1, 2", "1, 2, 2"), ("\\frac{1}{3}", "0.3333333"),
        // choices
        ("(B)", "B"), ("\\text{(B)}", "B"),
    ])
    func equivalentForms(_ a: String, _ b: String) {
        #expect(eq(a, b), "\(a) should equal \(b)")
        #expect(eq(b, a), "\(b) should equal \(a) (symmetry)")
    }

    @Test(arguments: [
        ("1,234", "1.234"), ("1,234", "1,2340"), ("-5", "5"), ("2.5", "2.05"), ("0.5", "\\frac{1}{3}"), ("\\frac{1}{3}", "0.333"), ("\\frac{1}{3}", "0.33333"),
        ("\\dfrac12", "12"), ("2\\frac{1}{2}", "2"), ("50\\%", "5"), ("\\pi", "3.14"), ("\\sqrt{8}", "2\\sqrt{3}"), ("\\sqrt{2}", "1.414"),
        ("3x+1", "3y+1"), ("3x+1", "3x-1"), ("x^2", "2x"), ("[1, 2)", "[1, 2]"), ("[1, 2)", "(1, 2)"), ("(1, 2)", "(2, 1)"),
        ("\\{1,2,3\\}", "\\{1,2\\}"), ("1, 2", "1, 2, 3"), ("(B)", "C"), ("B", "b"), ("2 \\pm \\sqrt{3}", "2+\\sqrt3"), ("\\text{even}", "\\text{odd}"),
        ("18 \\text{ dollars}", "180"), ("10^{2^n-n-1}", "10^{2^n-n}"), ("1/0", "\\infty"), ("", "0"),
    ])
    func lookAlikesStayUnequal(_ a: String, _ b: String) {
        #expect(!eq(a, b), "\(a) should not equal \(b)")
        #expect(!eq(b, a), "\(b) should not equal \(a) (symmetry)")
    }

    @Test func equivalentAnswersShareKeysForCommonForms() {
        #expect(ParsedAnswer("0.5").key == ParsedAnswer("\\frac{1}{2}").key)
        #expect(ParsedAnswer("1,000").key == ParsedAnswer("1000").key)
        #expect(ParsedAnswer("\\{1,2\\}").key == ParsedAnswer("\\{2,1\\}").key)
        #expect(ParsedAnswer("0.5").key != ParsedAnswer("0.6").key)
    }

    @Test func rationalArithmeticChecksOverflow() throws {
        let big = try #require(Rational(Int.max, 1))
        #expect(big.adding(.one) == nil)
        #expect(big.multiplied(by: Rational(2)!) == nil)
        #expect(Rational(6, -4) == Rational(-3, 2))
        #expect(Rational(1, 0) == nil)
        #expect(Rational(2)?.power(62) == Rational(1 << 62))
        #expect(Rational(2)?.power(64) == nil)
        #expect(Rational(decimal: "-0.125") == Rational(-1, 8))
        // Overflow falls back to floating point instead of trapping.
        #expect(MathExpr.parse("99999999999^3")?.evaluate() != nil)
    }

    @Test func matchesGoldSolutions() {
        #expect(AnswerEquivalence.matches(candidate: "70,000", gold: "so he made 70,000\n#### 70000", dataset: .gsm8k))
        #expect(!AnswerEquivalence.matches(candidate: "7000", gold: "#### 70000", dataset: .gsm8k))
    }
}
