import Testing
import Curation

/// Symbolic answers compared at seeded points, and huge values that must get a verdict quickly.
struct NumericIdentityTests {
    func eq(_ gold: String, _ candidate: String, _ o: AnswerOptions = .default) -> Bool { AnswerEquivalence.equivalent(gold, candidate, options: o) }

    @Test(arguments: [
        ("\\tan^2 w + 1", "\\sec^2 w"), ("1 + \\cot^2 w", "\\csc^2 w"), ("\\sin(2w)", "2\\sin w\\cos w"), ("\\cos^2 w - \\sin^2 w", "\\cos(2w)"),
        ("\\sin^2 w + \\cos^2 w", "1"), ("\\frac{k+4}{3}", "\\frac{k}{3} + \\frac{4}{3}"), ("(k-3)^2", "k^2 - 6k + 9"),
        ("\\frac{k^2 - 9}{k - 3}", "k + 3"), ("\\sqrt{k}\\sqrt{k}", "k"), ("\\ln(k^3)", "3\\ln k"), ("\\frac{1}{\\sqrt[3]{k}^2}", "k^{-2/3}"),
        ("\\sin^{-1}(\\frac{1}{2})", "\\frac{\\pi}{6}"),
    ])
    func identities(_ a: String, _ b: String) {
        #expect(eq(a, b), "\(a) = \(b)")
        #expect(eq(b, a), "\(b) = \(a)")
    }

    @Test(arguments: [
        ("\\tan^2 w + 1", "\\csc^2 w"), ("\\sin(2w)", "2\\sin w"), ("(k-3)^2", "k^2 - 9"), ("\\frac{k+4}{3}", "\\frac{k}{3} + 4"),
        ("\\sqrt{k^2}", "k"), ("\\sin^2 w - \\cos^2 w", "1"), ("k + 2m + 1", "k + 1"),
    ])
    func nonIdentities(_ a: String, _ b: String) {
        #expect(!eq(a, b), "\(a) != \(b)")
    }

    @Test func variableNamesMatterOnlyWhenStrict() {
        #expect(!eq("$g(t)$", "$g(s)$"))
        #expect(eq("$g(t)$", "$g(s)$", AnswerOptions(strict: false)))
        #expect(!eq("$g(t)$", "$h(s) + 1$", AnswerOptions(strict: false)))
    }

    @Test func hugeValuesGetAVerdictFast() {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(eq("$10^{10^{10}}$", "$10^{10^{10}}$"))
            #expect(!eq("$10^{10^{10}}$", "$10^{10^{12}}$"))
            #expect(eq("$7^{7^{7}}$", "$7^{7^7}$"))
            #expect(eq("$1000!$", "$1000!$"))
            #expect(!eq("$1000!$", "$1001!$"))
            #expect(!eq("$10^{400}$", "$10^{401}$"))
        }
        #expect(elapsed < .seconds(5))
    }

    @Test func integersPastDoublePrecisionCompareExactly() {
        #expect(eq("$3^{50}$", "$717897987691852588770249$"))
        #expect(!eq("$3^{50}$", "$717897987691852588770248$"))
        #expect(eq("$25!$", "$15511210043330985984000000$"))
        #expect(!eq("$25!$", "$15511210043330985984000001$"))
    }
}
