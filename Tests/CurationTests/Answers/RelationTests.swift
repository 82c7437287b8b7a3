import Testing
import Curation

/// Inequalities, chains, equations, chained equalities, and relations against intervals.
struct RelationTests {
    func eq(_ gold: String, _ candidate: String, _ o: AnswerOptions = .default) -> Bool { AnswerEquivalence.equivalent(gold, candidate, options: o) }

    @Test(arguments: [
        ("y \\geq 2", "y >= 2"), ("y \\le 2", "y <= 2"), ("y > 2", "y \\gt 2"), ("y < 2", "y \\lt 2"), ("y \\neq 2", "y != 2"),
        ("y \\ne 2", "y \\neq 2"), ("y \\leq 2", "2 \\geq y"), ("y \\geq 2", "2 \\le y"), ("y < 3", "-y > -3"), ("3y < 6", "y < 2"),
        ("-4 \\le t \\le 1", "1 \\geq t \\geq -4"), ("-4 \\le t \\le 1", "-4 \\leqslant t \\leqslant 1"),
    ])
    func sameRelation(_ a: String, _ b: String) {
        #expect(eq("$" + a + "$", "$" + b + "$"), "\(a) = \(b)")
        #expect(eq("$" + b + "$", "$" + a + "$"), "\(b) = \(a)")
    }

    @Test(arguments: [
        ("y \\geq 2", "y \\leq 2"), ("y > 2", "y \\geq 2"), ("y > 2", "2 > y"), ("y < 3", "y > -3"), ("-4 \\le t \\le 1", "-4 < t \\le 1"),
        ("y \\ne 2", "y = 2"), ("y < 3", "z < 3"),
    ])
    func differentRelation(_ a: String, _ b: String) {
        #expect(!eq("$" + a + "$", "$" + b + "$"), "\(a) != \(b)")
    }

    @Test func chainedEqualitiesStateTheResultLast() {
        #expect(eq("$n = 13$", "$n = 6+7 = 13$"))
        #expect(!eq("$n = 13$", "$n = 6+7 = 14$"))
        #expect(eq("$13$", "$6 + 7 = 13$"))
        #expect(eq("$0$", "$2 = \\qqq = w = 0$"))
    }

    @Test func equationsUpToAFactor() {
        #expect(eq("$2u - 4v + 6 = 0$", "$u = 2v - 3$"))
        #expect(eq("$u + v = 1$", "$-2u - 2v + 2 = 0$"))
        #expect(eq("$\\frac{u^2}{4} + v^2 = 1$", "$u^2 + 4v^2 = 4$"))
        #expect(!eq("$u + v = 1$", "$u - v = 1$"))
        #expect(!eq("$3 = 2u + v$", "$2u + v$"))
        #expect(!eq("$u + 5v = 0$", "$0$"))
    }

    @Test func goldRelationMatchesTheSetItDescribes() {
        #expect(eq("$-1 \\le s \\le 6$", "$s \\in [-1, 6]$"))
        #expect(eq("$s > 4$", "$(4, \\infty)$"))
        #expect(eq("$s \\le 0$", "$(-\\infty, 0]$"))
        #expect(!eq("$-1 \\le s \\le 6$", "$s \\in (-1, 6]$"))
        #expect(!eq("$s \\geq 4$", "$(4, \\infty)$"))
    }

    @Test func goldSetMatchesARelationOnlyWhenAllowed() {
        let allow = AnswerOptions(allowSetRelation: true)
        #expect(!eq("$s \\in [-1, 6]$", "$-1 \\le s \\le 6$"))
        #expect(eq("$s \\in [-1, 6]$", "$-1 \\le s \\le 6$", allow))
        #expect(eq("$[3, \\infty)$", "$s \\geq 3$", allow))
        #expect(!eq("$[3, \\infty)$", "$s > 3$", allow))
    }

    @Test func approximationAfterAName() {
        #expect(eq("$8$", "$r \\approx 8$"))
        #expect(eq("$\\frac{2}{7}$", "$r = \\frac{2}{7} \\approx 0.29$"))
    }

    @Test func labelledValues() {
        #expect(eq("$XY = 5, YZ = 12$", "$5, 12$"))
        #expect(eq("$5, 12$", "$XY=5, YZ=12$"))
        #expect(!eq("$XY = 5, YZ = 12$", "$5, 13$"))
        #expect(eq("$\\angle PQR = 75$", "$75$"))
        #expect(eq("$|PQ| = 3$", "$3$"))
        #expect(eq("$\\frac{AM}{MB} = \\frac{2}{3}$", "$\\frac{2}{3}$"))
        // Lower case letters are a product, not a label.
        #expect(!eq("$ab = 4$", "$4$"))
    }
}
