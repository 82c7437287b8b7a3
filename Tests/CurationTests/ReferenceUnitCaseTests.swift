import Foundation
import Testing
import Curation

/// Runs our checkers over the reference projects' own unit-test cases (extracted into
/// Fixtures/ifeval_cases by extract_unit_cases.py) and measures how often we give their verdict.
/// These cases were written by the reference authors to pin down their semantics, so they are the
/// cheapest evidence that an id means here what it means there. An "unsupported" verdict counts as
/// a disagreement: a verifier that cannot decide is not agreeing.
@Suite struct ReferenceUnitCaseTests {
    struct Case {
        var test: String
        var ordinal: Int
        var id: String
        var kwargs: JSONObject
        var response: String
        var expected: Bool
    }

    struct Tally {
        var total = 0
        var agree = 0
        var disagreements: [String] = []
        var languageTotal = 0
        var languageDisagree = 0

        var agreement: Double { total == 0 ? 0 : Double(agree) / Double(total) }
        /// The figures without `language:response_language`, whose identifier is being rebuilt
        /// separately; reported beside the full figures.
        var withoutLanguage: (total: Int, agree: Int) { (total - languageTotal, agree - (languageTotal - languageDisagree)) }
        var summary: String {
            let w = withoutLanguage
            return "\(agree)/\(total) agree (\(String(format: "%.1f", agreement * 100))%); without language:response_language "
                + "\(w.agree)/\(w.total); language:response_language \(languageTotal - languageDisagree)/\(languageTotal)"
        }
    }

    static func load(_ name: String) throws -> [Case] {
        let path = IFBenchFixtureTests.packageRoot().appendingPathComponent("Fixtures/ifeval_cases").appendingPathComponent(name)
        let text = try String(contentsOf: path, encoding: .utf8)
        var cases: [Case] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            let o = try #require(try JSONParser.parse(String(line)).objectValue)
            cases.append(Case(test: try #require(o["test"]?.stringValue), ordinal: try #require(o["case"]?.intValue),
                              id: try #require(o["instruction_id"]?.stringValue), kwargs: try #require(o["kwargs"]?.objectValue),
                              response: try #require(o["response"]?.stringValue), expected: try #require(o["expected"]?.boolValue as Bool?)))
        }
        return cases
    }

    static func tally(_ cases: [Case]) -> Tally {
        var t = Tally()
        let registry = ConstraintRegistry.standard
        for c in cases {
            t.total += 1
            let isLanguage = c.id == "language:response_language"
            if isLanguage { t.languageTotal += 1 }
            let verdict: String
            do {
                let bound = try registry.bind(ConstraintSet([Constraint(id: c.id, kwargs: c.kwargs)]))
                switch bound.first?.check(c.response) {
                case .pass?: verdict = "pass"
                case .fail?: verdict = "fail"
                case .unsupported(let reason)?: verdict = "unsupported (\(reason))"
                case nil: verdict = "no result"
                }
            } catch {
                verdict = "error (\(error))"
            }
            if verdict == (c.expected ? "pass" : "fail") {
                t.agree += 1
            } else {
                if isLanguage { t.languageDisagree += 1 }
                let shown = c.response.count > 160 ? String(c.response.prefix(160)) + "..." : c.response
                t.disagreements.append("\(c.test)#\(c.ordinal) \(c.id) \(JSONWriter.string(.object(c.kwargs))): expected \(c.expected ? "pass" : "fail"), got \(verdict); response \(JSONWriter.string(.string(shown)))")
            }
        }
        return t
    }

    @Test(arguments: ["ifeval_unit_cases.jsonl", "ifbench_unit_cases.jsonl"])
    func agreesWithReferenceUnitTests(_ file: String) throws {
        let cases = try Self.load(file)
        #expect(cases.count > 50)
        let t = Self.tally(cases)
        print("\(file): \(t.summary)")
        let report = "\(file): \(t.summary)\n" + t.disagreements.joined(separator: "\n")
        let w = t.withoutLanguage
        #expect(w.total > 0 && Double(w.agree) / Double(w.total) >= 0.98, "\(report)")
        // The bar over all cases, language included (the language cases use the language identifier).
        #expect(t.agreement >= 0.98, "\(report)")
    }
}
