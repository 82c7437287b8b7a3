import Curation
import Mixer
import Testing

@Suite struct SelectionTests {
    static func candidates(_ n: Int, tokens: (Int) -> Int = { _ in 10 }) -> [Selection.Candidate] {
        (0..<n).map { i in
            .init(key: SamplingKey.record(seed: 5, source: "s", id: "r\(i)"), tokens: UInt32(tokens(i)), index: UInt32(i))
        }
    }

    @Test func fractionTakesExactlyTheRoundedShareBySmallestKeys() {
        var c = Self.candidates(1000)
        let s = Selection.plan(.fraction(0.25), candidates: &c, totalTokens: nil)
        #expect(s.full == 0 && s.extra == 250)
        #expect(zip(c, c.dropFirst()).allSatisfy { $0.key <= $1.key })
    }

    @Test func repeatIsFullCopiesPlusTheFractionsRecords() {
        var a = Self.candidates(400), b = Self.candidates(400)
        let r = Selection.plan(.repeats(3.3), candidates: &a, totalTokens: nil)
        let f = Selection.plan(.fraction(0.3), candidates: &b, totalTokens: nil)
        #expect(r.full == 3 && r.extra == 120)
        // The remainder picks the same records a fraction of the same seed picks.
        #expect(Set(a.prefix(r.extra).map(\.index)) == Set(b.prefix(f.extra).map(\.index)))
        var whole = Self.candidates(7)
        #expect(Selection.plan(.repeats(2.0), candidates: &whole, totalTokens: nil) == Selection(full: 2, extra: 0, target: 14))
    }

    @Test func countBeyondTheSourceTakesFullCopiesFirst() {
        var c = Self.candidates(30)
        #expect(Selection.plan(.count(75), candidates: &c, totalTokens: nil) == Selection(full: 2, extra: 15, target: 75))
        var d = Self.candidates(30)
        #expect(Selection.plan(.count(12), candidates: &d, totalTokens: nil) == Selection(full: 0, extra: 12, target: 12))
        var none: [Selection.Candidate] = []
        #expect(Selection.plan(.count(5), candidates: &none, totalTokens: nil).extra == 0)
    }

    @Test func tokensLandWithinOneRecordOfTheBudget() {
        for budget in [1, 99, 1234, 5000, 12_345, 40_000] {
            var c = Self.candidates(500) { 3 + ($0 * 7919) % 40 }
            let total = c.reduce(0) { $0 + Int($1.tokens) }
            let s = Selection.plan(.tokens(budget), candidates: &c, totalTokens: nil)
            let taken = s.full * total + c.prefix(s.extra).reduce(0) { $0 + Int($1.tokens) }
            #expect(abs(taken - budget) <= 21, "budget \(budget): took \(taken)") // half the largest record
        }
        var c = Self.candidates(100)
        let s = Selection.plan(.share(0.5), candidates: &c, totalTokens: 3000)
        #expect(s.full == 1 && s.extra == 50)
    }

    @Test func keysDependOnSeedSourceAndIdOnly() {
        let a = SamplingKey.record(seed: 1, source: "web", id: "x")
        #expect(a == SamplingKey.record(seed: 1, source: "web", id: "x"))
        #expect(a != SamplingKey.record(seed: 2, source: "web", id: "x"))
        #expect(a != SamplingKey.record(seed: 1, source: "chat", id: "x"))
        #expect(a != SamplingKey.shuffle(seed: 1, source: "web", outputID: "x"))
    }
}
