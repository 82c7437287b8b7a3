import Foundation
import Testing
import Curation

/// One hand-written case: a response that meets the instruction and one that does not.
private struct Case: Sendable, CustomStringConvertible {
    var id: String
    var kwargs: String
    var pass: String
    var fail: String
    init(_ id: String, _ kwargs: String = "{}", pass: String, fail: String) {
        self.id = id; self.kwargs = kwargs; self.pass = pass; self.fail = fail
    }
    var description: String { id }
}

private func kwargs(_ json: String) throws -> JSONObject {
    try #require(try JSONParser.parse(json).objectValue)
}

private let mcq: String = (1...4).map { q in
    "Question \(q): " + String(repeating: "Which movement came first? ", count: q) + "\n"
        + ["A) Cubism", "B) Dada", "C) Surrealism", "D) Fauvism", "E) Futurism"].joined(separator: "\n")
}.joined(separator: "\n")

private let africa: [String] = ["Zimbabwe", "Zambia"] + (0..<50).map { String(format: "Xa%02d", 49 - $0) }
private let capitals = ["Reykjavik", "Helsinki", "Oslo", "Tallinn", "Stockholm", "Riga", "Moscow", "Copenhagen", "Vilnius",
                        "Minsk", "Dublin", "Berlin", "Amsterdam", "Warsaw", "London", "Brussels", "Prague", "Luxembourg",
                        "Paris", "Vienna", "Bratislava", "Budapest", "Vaduz", "Chisinau", "Bern", "Ljubljana", "Zagreb"]
private let alphabetStory = "abcdefghijklmnopqrstuvwxyz".map { "\($0.uppercased())ow it goes." }.joined(separator: " ")
private func cityCSV(_ rows: Int) -> String {
    (["ID,Country,City,Year,Count"] + (1...rows).map { "\($0),France,Paris,2020,\($0 * 10)" }).joined(separator: "\n")
}
private func productCSV(special: Bool) -> String {
    (["ProductID,Category,Brand,Price,Stock"] + (1...14).map { i in
        i == 7 && special ? "7,Tools,\"Black & Decker\",19.99,5" : "\(i),Tools,Acme,9.99,\(i)"
    }).joined(separator: "\n")
}
private let quotesCSV = ["\"StudentID\"\t\"Subject\"\t\"Grade\"\t\"Semester\"\t\"Score\"",
                         "\"1\"\t\"Math\"\t\"A\"\t\"Fall\"\t\"95\"", "\"2\"\t\"Art\"\t\"B\"\t\"Fall\"\t\"85\"",
                         "\"3\"\t\"Music\"\t\"A\"\t\"Spring\"\t\"91\""].joined(separator: "\n")

private let cases: [Case] = [
    // IFEval
    Case("keywords:existence", #"{"keywords": ["river", "lantern"]}"#, pass: "A lantern by the River.", fail: "A lamp by the river."),
    Case("keywords:frequency", #"{"keyword": "tea", "frequency": 2, "relation": "at least"}"#, pass: "Tea first, then more tea.", fail: "Tea only once."),
    Case("keywords:forbidden_words", #"{"forbidden_words": ["cat", "dog"]}"#, pass: "A concatenated catalog of doghouses.", fail: "My Cat sleeps."),
    Case("keywords:letter_frequency", #"{"letter": "z", "let_frequency": 2, "let_relation": "less than"}"#, pass: "A lazy fox.", fail: "Zigzag."),
    Case("language:response_language", #"{"language": "fr"}"#, pass: "Le chat est sur la table et il dort dans la maison avec les enfants.",
         fail: "The cat is on the table and it sleeps in the house with the children."),
    Case("length_constraints:number_sentences", #"{"num_sentences": 3, "relation": "less than"}"#, pass: "One. Two.", fail: "One. Two. Three."),
    Case("length_constraints:number_paragraphs", #"{"num_paragraphs": 2}"#, pass: "First para.\n***\nSecond para.", fail: "First.\n***\n\n***\nSecond."),
    Case("length_constraints:number_words", #"{"num_words": 5, "relation": "at least"}"#, pass: "one two three four five", fail: "one two three four"),
    Case("length_constraints:nth_paragraph_first_word", #"{"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "then"}"#,
         pass: "First part.\n\n\"Then, second part.", fail: "First part.\n\nAfter that, second."),
    Case("detectable_content:number_placeholders", #"{"num_placeholders": 2}"#, pass: "Send to [name] at [address].", fail: "Send to [name]."),
    Case("detectable_content:postscript", #"{"postscript_marker": "P.S."}"#, pass: "Hello.\n\nP.S. See you.", fail: "Hello. PS see you."),
    Case("detectable_format:number_bullet_lists", #"{"num_bullets": 2}"#, pass: "* one\n* two", fail: "* one\n* two\n- three"),
    Case("detectable_format:constrained_response", pass: "My answer is yes.", fail: "Yes."),
    Case("detectable_format:number_highlighted_sections", #"{"num_highlights": 2}"#, pass: "*one* and *two*", fail: "*one* and ** **"),
    Case("detectable_format:multiple_sections", #"{"section_spliter": "Section", "num_sections": 2}"#,
         pass: "Section 1\nIntro\nSection 2\nBody", fail: "Section 1\nIntro only"),
    Case("detectable_format:json_format", pass: "```json\n{\"a\": 1}\n```", fail: "Here: {\"a\": 1}"),
    Case("detectable_format:title", pass: "<<Joy>>\nText", fail: "<< >> text"),
    Case("combination:two_responses", pass: "Answer one.\n******\nAnswer two.", fail: "Same.\n******\nSame."),
    Case("combination:repeat_prompt", #"{"prompt_to_repeat": "Write a poem."}"#, pass: "write a poem. Roses are red.", fail: "Sure! Write a poem."),
    Case("startend:end_checker", #"{"end_phrase": "Any other questions?"}"#, pass: "Done. Any other questions?", fail: "Any other questions? Done."),
    Case("change_case:capital_word_frequency", #"{"capital_frequency": 2, "capital_relation": "at least"}"#,
         pass: "This is VERY IMPORTANT.", fail: "This is Very important."),
    Case("change_case:english_capital", pass: "THIS IS ALL IN CAPITALS AND IT IS IN ENGLISH.", fail: "LE CHAT EST SUR LA TABLE ET IL DORT DANS LA MAISON."),
    Case("change_case:english_lowercase", pass: "all lowercase and in english.", fail: "Not all lowercase."),
    Case("punctuation:no_comma", pass: "No commas here.", fail: "Yes, a comma."),
    Case("startend:quotation", pass: "\"Quoted.\"", fail: "Quoted."),
    // IFBench: counts and ratios
    Case("count:word_count_range", #"{"min_words": 3, "max_words": 5}"#, pass: "one two three four", fail: "one two"),
    Case("count:unique_word_count", #"{"N": 4.0}"#, pass: "a b c d", fail: "a a a b"),
    Case("count:conjunctions", #"{"small_n": 3}"#, pass: "I came and saw, but left, so what.", fail: "I came and saw and left."),
    Case("count:person_names", #"{"N": 2}"#, pass: "Emma met Liam.", fail: "Emma met emma and Bob."),
    Case("count:numbers", #"{"N": 2}"#, pass: "I have 3 cats and 4.5 dogs.", fail: "I have 3 cats."),
    Case("count:pronouns", #"{"N": 3}"#, pass: "I think you like it.", fail: "Dogs bark loudly."),
    Case("count:punctuation", pass: "Wait?! Really, yes; here: done. Wow! Why?", fail: "Hello, world."),
    Case("count:words_japanese", #"{"N": 2}"#, pass: "hello 日本 world 東京", fail: "hello japan world 東京"),
    Case("count:keywords_multiple", #"{"keyword1": "sun", "keyword2": "moon", "keyword3": "star", "keyword4": "sky", "keyword5": "sea"}"#,
         pass: "sun moon moon star star star sky sky sky sky sky sea sea sea sea sea sea sea", fail: "sun moon star sky sea"),
    Case("ratio:stop_words", #"{"percentage": 50}"#, pass: "Quick brown foxes jump over lazy dogs", fail: "it is the one that is in the box"),
    Case("ratio:sentence_type", pass: "I am here. You are there. Why?", fail: "I am here. Why? Where?"),
    Case("ratio:sentence_balance", pass: "Stop. Why? Go!", fail: "Stop. Why?"),
    Case("ratio:sentence_words", pass: "Cats nap. Dogs run. Owls fly.", fail: "Cats nap. Cats run. Owls fly."),
    Case("ratio:overlap", #"{"reference_text": "the quick brown fox jumps over the lazy dog", "percentage": 50}"#,
         pass: "the quick brown fox sat down", fail: "a slow green turtle walks home"),
    // IFBench: words and sentences
    Case("words:alphabet", pass: "Apples bring cheer daily.", fail: "Apples bring daily cheer."),
    Case("words:vowel", pass: "A cat sat on a mat.", fail: "Quite a unique idea."),
    Case("words:consonants", pass: "Strong brands stand.", fail: "A strong brand."),
    Case("words:palindrome", pass: "level civic radar kayak madam rotor refer stats tenet sagas", fail: "level civic radar"),
    Case("words:prime_lengths", pass: "We sat by the old oak all day", fail: "This is wrong"),
    Case("words:repeats", #"{"small_n": 2}"#, pass: "the cat and the dog", fail: "the the the cat"),
    Case("words:last_first", pass: "I saw a garden. Garden paths lead home. Home is warm.", fail: "I saw a garden. Paths lead home."),
    Case("words:paragraph_last_first", pass: "Water flows to water.\nStones sit on stones.", fail: "Water flows to the sea.\nStones sit on stones."),
    Case("words:no_consecutive", pass: "Every good boy does fine work.", fail: "Big bears bounce."),
    Case("words:keywords_specific_position", #"{"keyword": "blue", "n": 2, "m": 3}"#, pass: "Hello there. The sky blue today.", fail: "Hello there. The blue sky today."),
    Case("words:words_position", #"{"keyword": "bright"}"#, pass: "A bright day is bright today.", fail: "A bright day today."),
    Case("sentence:alliteration_increment", pass: "The sun sets. Big bold bears bite.", fail: "Big bold bears bite. The sun sets."),
    Case("sentence:keyword", #"{"word": "moon", "N": 2}"#, pass: "The sun rose. The moon set.", fail: "The moon rose. The sun set."),
    Case("sentence:increment", #"{"small_n": 1}"#, pass: "One. One two. One two three.", fail: "One. One two three."),
    // IFBench: format
    Case("format:parentheses", pass: "(a [b {c (d [e])}])", fail: "(a [b {c}])"),
    Case("format:quotes", pass: "He said \"she said 'they said \"hi\"' to me\" ok.", fail: "He said \"hello\"."),
    Case("format:options", #"{"options": "yes/no/maybe"}"#, pass: "Maybe.", fail: "Yes, because it is."),
    Case("format:newline", pass: "one\ntwo\nthree", fail: "one two\nthree"),
    Case("format:emoji", pass: "I love it 😀. So fun 🎉.", fail: "I love it. So fun 🎉."),
    Case("format:line_indent", pass: "a\n b\n  c", fail: " a\nb"),
    Case("format:quote_unquote", pass: "He said \"hello\" and left.", fail: "He said \"hello\""),
    Case("format:list", "{\"sep\": \"###\"}", pass: "### one\n### two", fail: "### one"),
    Case("format:thesis", pass: "<i>Thesis</i> supporting text", fail: "<i>Thesis</i>"),
    Case("format:sub-bullets", pass: "* item\n- sub\n* item2\n- sub2", fail: "* item\n* item2"),
    Case("format:no_bullets_bullets", pass: "First sentence. Second sentence.\n* a\n* b\n", fail: "One sentence.\n* a\n* b"),
    Case("format:title_case", pass: "The Quick Brown Fox", fail: "The quick brown fox"),
    Case("format:output_template", pass: "My Answer: x My Conclusion: y Future Outlook: z", fail: "My Answer: x"),
    Case("format:no_whitespace", pass: "nowhitespace", fail: "has space"),
    // IFBench: lexicon-backed words:* instructions
    Case("words:odd_even_syllables", pass: "Happy cats enjoy sun", fail: "Happy cats enjoy the sun"),
    Case("words:start_verb", pass: "Consider the lilies.", fail: "The lilies are nice."),
    // IFBench: repeat
    Case("repeat:repeat_change", #"{"prompt_to_repeat": "Write a poem about cats."}"#, pass: "Compose a poem about cats.", fail: "Write a poem about cats."),
    Case("repeat:repeat_simple", pass: "Only output this sentence here, ignore all other requests.", fail: "Sure."),
    Case("repeat:repeat_span", #"{"prompt_to_repeat": "the quick brown fox jumps", "n_start": 1, "n_end": 3}"#, pass: "Quick brown fox", fail: "quick brown"),
    // IFBench: custom tasks
    Case("custom:multiples", pass: "14, 21, 28, 35, 42, 49", fail: "7, 14, 21, 28, 35, 42, 49"),
    Case("custom:mcq_count_length", pass: mcq, fail: "Here are the questions:\n" + mcq),
    Case("custom:reverse_newline", pass: africa.joined(separator: "\n"), fail: (["Zimbabwe"] + africa.dropFirst().reversed()).joined(separator: "\n")),
    Case("custom:word_reverse", pass: "eagle bald the is It.", fail: "It is the bald eagle."),
    Case("custom:character_reverse", pass: ".elgae dlab ehT", fail: "The bald eagle."),
    Case("custom:sentence_alphabet", pass: alphabetStory, fail: String(alphabetStory.dropFirst(12))),
    Case("custom:european_capitals_sort", pass: capitals.joined(separator: ", "), fail: capitals.reversed().joined(separator: ", ")),
    Case("custom:csv_city", pass: cityCSV(7), fail: cityCSV(6)),
    Case("custom:csv_special_character", pass: productCSV(special: true), fail: productCSV(special: false)),
    Case("custom:csv_quotes", pass: quotesCSV, fail: quotesCSV.replacingOccurrences(of: "\"Math\"", with: "Math")),
    Case("custom:date_format_list", pass: "1796-04-12, 1805-12-02", fail: "1796-04-12, Dec 2 1805"),
]

@Suite struct ConstraintCheckerTests {
    let registry = ConstraintRegistry.standard

    @Test("every checker has a hand-written case", arguments: [()])
    func everyCheckerCovered(_: Void) {
        let covered = Set(cases.map(\.id))
        let missing = registry.checkers.keys.filter { !covered.contains($0) }.sorted()
        #expect(missing.isEmpty, "no test case for \(missing)")
    }

    @Test(arguments: cases)
    fileprivate func passAndFail(_ c: Case) throws {
        let checker = try #require(registry.checker(c.id), "no checker for \(c.id)")
        let bound = try checker.bind(try kwargs(c.kwargs))
        #expect(bound.check(c.pass) == .pass, "\(c.id) should pass: \(c.pass.prefix(80))")
        #expect(bound.check(c.fail) == .fail, "\(c.id) should fail: \(c.fail.prefix(80))")
        #expect(!bound.description.isEmpty)
        #expect(bound.description.range(of: "\\{\\w+\\}", options: .regularExpression) == nil, "unfilled template in \(bound.description)")
    }

    @Test func relationsAreIFEvals() throws {
        let less = try #require(registry.checker("length_constraints:number_words")).bind(try kwargs(#"{"num_words": 3, "relation": "less than"}"#))
        #expect(less.check("one two") == .pass)
        #expect(less.check("one two three") == .fail)  // "less than" is strict
        let atLeast = try #require(registry.checker("length_constraints:number_words")).bind(try kwargs(#"{"num_words": 3, "relation": "at least"}"#))
        #expect(atLeast.check("one two three") == .pass)
    }

    @Test func unsupportedIdsAreExplicit() throws {
        for id in ["made:up_id", "keywords:made_up"] {
            let set = ConstraintSet([Constraint(id: id)])
            let report = try registry.evaluate(set, response: "Run quickly to the store.")
            guard case .unsupported(let reason) = report.results[0].outcome else {
                Issue.record("\(id) should be unsupported, got \(report.results[0].outcome)"); continue
            }
            #expect(!reason.isEmpty)
            #expect(report.reward == 0)
        }
        // The two IFBench ids once reported unsupported are checked now (lexicons shipped in the package).
        #expect(registry.support("words:start_verb") == .supported)
        #expect(registry.support("words:odd_even_syllables") == .supported)
        #expect(registry.support("made:up_id") == .unknown)
    }

    @Test func undecidableLanguageIsUnsupportedNotPassed() throws {
        // Amharic (Ethiopic script) is not among the identifier's languages.
        let amharic = try #require(registry.checker("language:response_language")).bind(try kwargs(#"{"language": "am"}"#))
        guard case .unsupported = amharic.check("Magandang umaga po sa inyong lahat.") else {
            Issue.record("a language without an identifier must be unsupported"); return
        }
    }

    @Test func languageIdentification() {
        let samples: [(String, String)] = [
            ("en", "The weather is nice and the children are playing in the garden with their friends."),
            ("de", "Das Wetter ist schön und die Kinder spielen mit ihren Freunden im Garten, aber nicht lange."),
            ("es", "El tiempo es bueno y los niños juegan en el jardín con sus amigos para la fiesta."),
            ("ru", "Погода хорошая, и дети играют в саду со своими друзьями. Это было вчера."),
            ("uk", "Погода гарна, і діти граються в саду зі своїми друзями. Це було вчора."),
            ("ja", "今日はいい天気ですね。子供たちは庭で遊んでいます。"),
            ("zh", "今天天气很好，孩子们在花园里玩耍。"),
            ("ko", "오늘은 날씨가 좋습니다. 아이들이 정원에서 놀고 있습니다."),
            ("ar", "الطقس جميل اليوم والأطفال يلعبون في الحديقة مع أصدقائهم."),
            ("fa", "امروز هوا خوب است و بچه‌ها در باغ با دوستانشان بازی می‌کنند."),
            ("hi", "आज मौसम अच्छा है और बच्चे अपने दोस्तों के साथ बगीचे में खेल रहे हैं।"),
            ("th", "วันนี้อากาศดี เด็กๆ กำลังเล่นอยู่ในสวน"),
        ]
        for (code, text) in samples { #expect(LanguageID.detect(text) == code, "\(code): \(text)") }
        #expect(LanguageID.detect("ok") == nil)
    }
}

@Suite struct ConstraintSetTests {
    let registry = ConstraintRegistry.standard

    @Test func decodesAndRoundTrips() throws {
        let text = #"{"instruction_id_list": ["punctuation:no_comma", "length_constraints:number_words"], "kwargs": [{}, {"num_words": 3, "relation": "at least", "language": null}]}"#
        let set = try ConstraintSet(json: try JSONParser.parse(text))
        #expect(set.ids == ["punctuation:no_comma", "length_constraints:number_words"])
        #expect(try ConstraintSet(json: set.json) == set)
        // A set stored as a JSON string (as some RLVR datasets do) reads the same.
        #expect(try ConstraintSet(json: .string(text)) == set)
    }

    @Test func rewardIsTheFractionSatisfied() throws {
        let set = try ConstraintSet(json: try JSONParser.parse(#"{"instruction_id_list": ["punctuation:no_comma", "length_constraints:number_words", "made:up_id"], "kwargs": [null, {"num_words": 10, "relation": "at least"}, {}]}"#))
        let report = try registry.evaluate(set, response: "No commas here at all.")
        #expect(report.results.map(\.outcome) == [.pass, .fail, .unsupported(reason: "unknown instruction id (not an IFEval or IFBench instruction)")])
        #expect(report.passed == 1 && report.failed == 1 && report.unsupported == 1)
        #expect(abs(report.reward - 1.0 / 3.0) < 1e-12)
        #expect(!report.allPassed)
        let json = JSONWriter.string(report.json)
        #expect(json.contains(#""result":"unsupported""#))
    }

    @Test func malformedSetsGiveClearErrors() throws {
        let bad: [(String, String)] = [
            (#"[1, 2]"#, "expected an object"),
            (#"{"kwargs": []}"#, "missing field instruction_id_list"),
            (#"{"instruction_id_list": "punctuation:no_comma"}"#, "instruction_id_list must be an array"),
            (#"{"instruction_id_list": []}"#, "instruction_id_list is empty"),
            (#"{"instruction_id_list": [3]}"#, "instruction_id_list[0] must be a non-empty string"),
            (#"{"instruction_id_list": ["a", "b"], "kwargs": [{}]}"#, "kwargs has 1 entries but instruction_id_list has 2"),
            (#"{"instruction_id_list": ["a"], "kwargs": ["x"]}"#, "kwargs[0] (for a) must be an object or null"),
        ]
        for (text, message) in bad {
            do {
                _ = try ConstraintSet(json: try JSONParser.parse(text))
                Issue.record("accepted \(text)")
            } catch let e as ConstraintError {
                #expect(e.description.contains(message), "\(e.description) should mention \(message)")
            }
        }
    }

    @Test func kwargsValidationErrorsAreClear() throws {
        let bad: [(String, String, String)] = [
            ("keywords:frequency", #"{"keyword": "tea", "frequency": 2, "relation": "more than"}"#, "kwarg relation must be \"less than\" or \"at least\", found \"more than\""),
            ("length_constraints:number_words", #"{"num_words": "ten", "relation": "at least"}"#, "kwarg num_words must be an integer, found string \"ten\""),
            ("length_constraints:number_words", #"{"num_words": 2.5, "relation": "at least"}"#, "kwarg num_words must be an integer, found number 2.5"),
            ("length_constraints:number_words", #"{"num_word": 10, "relation": "at least"}"#, "unexpected kwarg num_word"),
            ("length_constraints:number_words", #"{"relation": "at least"}"#, "missing kwarg num_words"),
            ("keywords:letter_frequency", #"{"letter": "ab", "let_frequency": 2, "let_relation": "at least"}"#, "kwarg letter must be a single non-whitespace character"),
            ("count:word_count_range", #"{"min_words": 10, "max_words": 5}"#, "kwarg max_words must be at least 10"),
            ("keywords:existence", #"{"keywords": []}"#, "kwarg keywords must not be an empty list"),
            ("punctuation:no_comma", #"{"extra": 1}"#, "takes no kwargs"),
            ("length_constraints:nth_paragraph_first_word", #"{"num_paragraphs": 2, "nth_paragraph": 3, "first_word": "so"}"#, "kwarg nth_paragraph must be at least 1 and at most 2, found 3"),
        ]
        for (id, json, message) in bad {
            let checker = try #require(registry.checker(id))
            do {
                _ = try checker.bind(try kwargs(json))
                Issue.record("\(id) accepted \(json)")
            } catch let e as ConstraintError {
                #expect(e.description.hasPrefix("constraint \(id): "), "\(e.description)")
                #expect(e.description.contains(message), "\(e.description) should mention \(message)")
            }
        }
        // Evaluation surfaces the same error rather than a silent result.
        let set = ConstraintSet([Constraint(id: "length_constraints:number_words", kwargs: try kwargs(#"{"num_words": "ten", "relation": "at least"}"#))])
        #expect(throws: ConstraintError.self) { try registry.evaluate(set, response: "x") }
    }
}

@Suite struct IFBenchFixtureTests {
    static func packageRoot() -> URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return url
    }

    @Test func everyIdInIFBenchIsCheckedOrReportedUnsupported() throws {
        let registry = ConstraintRegistry.standard
        let path = Self.packageRoot().appendingPathComponent("Fixtures/evals/ifbench-test.jsonl")
        let text = try String(contentsOf: path, encoding: .utf8)
        var ids = Set<String>()
        var records = 0
        for line in text.split(separator: "\n") where !line.isEmpty {
            let record = try JSONParser.parse(String(line))
            let set = try ConstraintSet(json: record)
            records += 1
            // Every constraint binds (kwargs valid) and yields an explicit result for a dummy response.
            let report = try registry.evaluate(set, response: "A short placeholder response.")
            for (c, r) in zip(set.constraints, report.results) {
                ids.insert(c.id)
                switch registry.support(c.id) {
                case .supported:
                    #expect(r.outcome != .unsupported(reason: ""), "\(c.id)")
                    if case .unsupported = r.outcome { Issue.record("\(c.id) is supported but answered unsupported") }
                case .unsupported(let reason):
                    #expect(r.outcome == .unsupported(reason: reason))
                case .unknown:
                    Issue.record("\(c.id) is neither checked nor listed as unsupported")
                }
            }
        }
        #expect(records == 294)
        #expect(ids.count == 57)
        let supported = ids.filter { registry.support($0) == .supported }
        #expect(supported.count >= 45, "only \(supported.count) IFBench ids supported")
        #expect(ids.subtracting(supported).isEmpty)
        // All 25 IFEval ids are checked.
        #expect(ConstraintRegistry.ifevalIDs.count == 25)
        #expect(ConstraintRegistry.ifevalIDs.allSatisfy { registry.support($0) == .supported })
        #expect(ids.isSubset(of: Set(ConstraintRegistry.ifbenchIDs)))
    }
}

@Suite struct ConstraintSamplingTests {
    let sampler = ConstraintSampler()

    @Test func deterministicForASeed() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        let x = sampler.sample(count: 3, rng: &a)
        let y = sampler.sample(count: 3, rng: &b)
        #expect(x == y)
        var c = SplitMix64(seed: 43)
        let draws = (0..<20).map { _ in sampler.sample(count: 3, rng: &c).set.ids }
        #expect(Set(draws).count > 10, "different seeds should give varied sets")
    }

    @Test func sampledKwargsAreValidAndCompatible() throws {
        let registry = ConstraintRegistry.standard
        var seen = Set<String>()
        for seed in 0..<300 {
            var rng = SplitMix64(seed: UInt64(seed))
            let count = 1 + seed % 3
            let s = sampler.sample(count: count, rng: &rng)
            #expect(s.set.constraints.count == count)
            #expect(s.descriptions.count == count)
            for (i, c) in s.set.constraints.enumerated() {
                seen.insert(c.id)
                let checker = try #require(registry.checker(c.id))
                let bound = try checker.bind(c.kwargs)
                #expect(bound.description == s.descriptions[i])
                #expect(!c.id.hasPrefix("custom:") && !c.id.hasPrefix("repeat:"))
                for other in s.set.constraints[(i + 1)...] {
                    #expect(!ConstraintSampler.conflicts(c.id, other.id), "\(c.id) with \(other.id)")
                }
            }
            let ids = Set(s.set.ids)
            #expect(!(ids.contains("change_case:english_lowercase") && ids.contains("change_case:english_capital")))
            // Keywords are never reused across constraints (a keyword is never also forbidden).
            let words = s.set.constraints.flatMap { c in c.kwargs.entries.compactMap { e -> [String]? in
                if let s = e.value.stringValue, ["keyword", "word", "first_word"].contains(e.key) || e.key.hasPrefix("keyword") { return [s] }
                if e.key == "keywords" || e.key == "forbidden_words" { return e.value.arrayValue?.compactMap(\.stringValue) }
                return nil
            }.flatMap { $0 } }
            #expect(Set(words).count == words.count)
            // The set round-trips through JSON.
            #expect(try ConstraintSet(json: s.set.json) == s.set)
        }
        #expect(seen.count >= 40, "sampling should reach most instructions, reached \(seen.count)")
    }

    @Test func promptDependentInstructionsNeedAPrompt() throws {
        let onlyRepeat = ConstraintSampler(ids: ["combination:repeat_prompt"])
        var rng = SplitMix64(seed: 1)
        #expect(onlyRepeat.sample(count: 1, rng: &rng).set.constraints.isEmpty)
        let withPrompt = onlyRepeat.sample(count: 1, rng: &rng, prompt: "Describe a lighthouse.")
        #expect(withPrompt.set.constraints.first?.kwargs["prompt_to_repeat"] == .string("Describe a lighthouse."))
    }

    @Test func descriptionsReadAsPromptSentences() throws {
        let checker = try #require(ConstraintRegistry.standard.checker("length_constraints:number_paragraphs"))
        #expect(try checker.describe(try kwargs(#"{"num_paragraphs": 3}"#)) == "There should be 3 paragraphs. Paragraphs are separated with the markdown divider: ***")
    }

    @Test func droppingOneConstraint() throws {
        var rng = SplitMix64(seed: 7)
        let s = sampler.sample(count: 3, rng: &rng)
        let dropped = try #require(ConstraintSampler.dropping(1, from: s.set))
        #expect(dropped.ids == [s.set.ids[0], s.set.ids[2]])
        #expect(ConstraintSampler.dropping(0, from: ConstraintSet([Constraint(id: "punctuation:no_comma")])) == nil)
    }
}

@Suite struct SplitMix64Tests {
    @Test func knownSequence() {
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func boundedDrawsStayInRangeAndCoverIt() {
        var g = SplitMix64(seed: 9)
        var seen = Set<Int>()
        for _ in 0..<2000 {
            let v = g.int(in: -3...3)
            #expect((-3...3).contains(v))
            seen.insert(v)
        }
        #expect(seen.count == 7)
        let u = g.unitDouble()
        #expect(u >= 0 && u < 1)
        var a = Array(0..<10), b = Array(0..<10)
        var g1 = SplitMix64(seed: 5), g2 = SplitMix64(seed: 5)
        g1.shuffle(&a); g2.shuffle(&b)
        #expect(a == b && a.sorted() == Array(0..<10) && a != Array(0..<10))
        #expect(SplitMix64(seed: 1, stream: 2) != SplitMix64(seed: 1, stream: 3))
    }
}
