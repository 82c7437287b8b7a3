import Curation
import Foundation
import Testing

/// A generated s1 pool: items with known domains, lengths and (optionally) planted problems.
enum PoolMaker {
    static let vocabulary: [String] = {
        // Distinct made-up words, so generated questions share few n-grams by chance.
        var rng = SeededRandom(seed: 7)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return (0..<3000).map { _ in String((0..<(4 + rng.uniform(below: 5))).map { _ in letters[rng.uniform(below: 26)] }) }
    }()

    static func words(_ n: Int, rng: inout SeededRandom) -> String {
        (0..<n).map { _ in vocabulary[rng.uniform(below: vocabulary.count)] }.joined(separator: " ")
    }

    static func record(_ fields: KeyValuePairs<String, JSONValue>, line: Int = 1) -> RawRecord {
        RawRecord(object: JSONObject(fields), location: SourceLocation(file: "pool.jsonl", line: line, offset: 0))
    }

    /// `perDomain` clean items in each domain; item i of a domain has a trace of `base + 10 * i` words.
    static func pool(domains: [String], perDomain: Int, seed: UInt64 = 1, base: Int = 20) -> [RawRecord] {
        var rng = SeededRandom(seed: seed)
        var out: [RawRecord] = []
        for d in domains {
            for i in 0..<perDomain {
                out.append(record([
                    "id": .string("\(d)-\(i)"), "question": .string(words(30, rng: &rng) + "?"),
                    "thinking": .string(words(base + 10 * i, rng: &rng) + "."), "attempt": .string("42"),
                    "ground_truth": .string("42"), "domain": .string(d), "source": .string("gen"),
                ], line: out.count + 1))
            }
        }
        return out
    }

    static func ids(_ r: SelectionResult) -> [String] { r.selectedIDs }
}

@Suite struct SelectPipelineTests {
    @Test func stageCountsAddUpWithEveryKindOfDrop() throws {
        var records = PoolMaker.pool(domains: ["algebra", "geometry", "combinatorics"], perDomain: 20)
        var rng = SeededRandom(seed: 99)
        func q() -> String { PoolMaker.words(25, rng: &rng) + "?" }
        func t() -> String { PoolMaker.words(40, rng: &rng) + "." }
        var n = 0
        func add(_ fields: KeyValuePairs<String, JSONValue>) {
            n += 1
            var o = JSONObject(fields)
            o["id"] = .string("bad-\(n)")
            records.append(RawRecord(object: o, location: SourceLocation(file: "pool.jsonl", line: 1000 + n, offset: 0)))
        }
        // Quality: one of each reason (8 records).
        add(["thinking": .string(t()), "source": .string("gen")]) // missing question
        add(["question": .string(q()), "thinking": .string("  \n"), "source": .string("gen")])
        add(["question": .string(q()), "thinking": .string("Error code: 429 - rate limit exceeded"), "source": .string("gen")])
        add(["question": .string(q()), "thinking": .string(t() + " so the next step is to"), "source": .string("gen")])
        add(["question": .string(q() + " [asy] draw((0,0)--(1,1)); [/asy]"), "thinking": .string(t()), "source": .string("gen")])
        add(["question": .string("As shown in the figure, " + q()), "thinking": .string(t()), "source": .string("gen")])
        add(["question": .string("(a) " + q() + " (c) " + q()), "thinking": .string(t()), "source": .string("gen")])
        add(["question": .string(q()), "thinking": .string(String(repeating: "\u{FFFD}", count: 6) + t()), "source": .string("gen")])
        // Difficulty: solved by name, and by an equivalent reference answer (2 records).
        add(["question": .string(q()), "thinking": .string(t()), "source": .string("gen"), "solved_by": .array([.string("qwen")])])
        add(["question": .string(q()), "thinking": .string(t()), "source": .string("gen"), "ground_truth": .string("7"),
             "reference_answers": .object(JSONObject(["m1": .string("6"), "m2": .string(" 7 ")]))])
        // Not solved: wrong reference answer, empty solved_by.
        add(["question": .string(q()), "thinking": .string(t()), "source": .string("gen"), "ground_truth": .string("7"), "domain": .string("algebra"),
             "reference_answers": .object(JSONObject(["m1": .string("6")])), "solved_by": .array([])])
        // Diversity: 3 near-duplicates of earlier items (case, punctuation and one word changed).
        for k in 0..<3 {
            let orig = try #require(try records[k].string("question"))
            var words = orig.split(separator: " ").map(String.init)
            words[5] = "changed"
            add(["question": .string(words.joined(separator: " ").uppercased() + "!!"), "thinking": .string(t()), "source": .string("gen"),
                 "domain": .string("algebra")])
        }

        let sel = try S1Selector(options: SelectOptions(target: 30, seed: 3))
        let r = try sel.run(records: records, threads: 2)
        try r.check()
        #expect(r.funnel == [74, 66, 64, 30], "\(r.quality.dropped) \(r.difficulty.dropped)")
        for reason in ["missing-field:question", "empty-reasoning", "api-error", "truncated-reasoning", "asy-block",
                       "image-reference", "broken-enumeration", "garbage-text"] {
            #expect(r.quality.dropped[reason] == 1, "\(reason) \(r.quality.dropped)")
        }
        #expect(r.difficulty.dropped == ["solved:solved_by": 1, "solved:reference_answers": 1])
        #expect(r.diversity.dropped["near-duplicate"] == 3)
        #expect(r.diversity.dropped["not-selected"] == 64 - 3 - 30)
        #expect(Set(r.duplicates.map(\.duplicateOf)) == ["algebra-0", "algebra-1", "algebra-2"])
        // Per-domain pool sizes and selected counts are reported and add up.
        let algebra = try #require(r.domains.first { $0.domain == "algebra" })
        #expect(algebra.pool == 21)
        #expect(r.domains.map(\.selected).reduce(0, +) == 30)
        #expect(r.domains.map(\.pool).reduce(0, +) == 61)
    }

    @Test func sameSeedSameOutputDifferentSeedDifferent() throws {
        let records = PoolMaker.pool(domains: ["a", "b", "c", "d"], perDomain: 40)
        func run(_ seed: UInt64, threads: Int, records: [RawRecord]) throws -> SelectionResult {
            try S1Selector(options: SelectOptions(target: 50, seed: seed)).run(records: records, threads: threads)
        }
        let a = try run(11, threads: 1, records: records)
        let b = try run(11, threads: 2, records: records)
        let c = try run(12, threads: 1, records: records)
        #expect(a.selectedIDs == b.selectedIDs)
        #expect(a.selected.map(\.bytes) == b.selected.map(\.bytes))
        #expect(a.selectedIDs != c.selectedIDs)
        // Shuffled input order gives the same selection (ties broken by (seed, id), not position).
        var rng = SeededRandom(seed: 5)
        var shuffled = records
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, rng.uniform(below: i + 1)) }
        let d = try run(11, threads: 1, records: shuffled)
        #expect(Set(d.selectedIDs) == Set(a.selectedIDs))
        // Selected records are the input bytes unchanged (they carry a domain field already).
        let byID = Dictionary(uniqueKeysWithValues: records.map { (try! RecordID.of($0), $0.bytes) })
        for (id, rec) in zip(a.selectedIDs, a.selected) { #expect(byID[id] == rec.bytes) }
    }

    @Test func longerTracesArePickedMoreOften() throws {
        // One domain, 30 items; item i has length 100 + i (rank 1 = item 29). Pick 3 per run, many seeds.
        let entries = (0..<30).map { DiversitySampler.Entry(index: $0, id: "x\($0)", domain: "d", length: 100 + $0) }
        var firstPick = [Int](repeating: 0, count: 30)
        var anyPick = [Int](repeating: 0, count: 30)
        let runs = 4000
        for s in 0..<runs {
            let picked = DiversitySampler(seed: UInt64(s)).sample(entries, count: 3)
            #expect(picked.count == 3 && Set(picked).count == 3)
            firstPick[picked[0]] += 1
            for p in picked { anyPick[p] += 1 }
        }
        // First pick: P(rank 1) = 1/2, P(rank 2) = 1/4, P(rank 3) = 1/8 (within a few standard errors).
        #expect(abs(Double(firstPick[29]) / Double(runs) - 0.5) < 0.04)
        #expect(abs(Double(firstPick[28]) / Double(runs) - 0.25) < 0.035)
        #expect(abs(Double(firstPick[27]) / Double(runs) - 0.125) < 0.03)
        #expect(anyPick[29] > anyPick[27] && anyPick[27] > anyPick[24] && anyPick[24] > anyPick[10])
        #expect(anyPick[0..<15].reduce(0, +) < runs / 100)

        // Through the whole pipeline: the selection's mean trace length is well above the pool's.
        let records = PoolMaker.pool(domains: ["p", "q"], perDomain: 40)
        let r = try S1Selector(options: SelectOptions(target: 10, seed: 1)).run(records: records)
        let counter = WhitespaceTokenCounter()
        let lengths = try r.selected.map { counter.countTokens(try #require(try $0.string("thinking"))) }
        let poolMean = Double(try records.map { counter.countTokens(try $0.string("thinking") ?? "") }.reduce(0, +)) / Double(records.count)
        #expect(Double(lengths.reduce(0, +)) / Double(lengths.count) > poolMean + 100)
    }

    @Test func domainsArePickedUniformly() throws {
        // A big and a small domain: the small one still gets about half of the picks until it runs out.
        var entries = (0..<200).map { DiversitySampler.Entry(index: $0, id: "big\($0)", domain: "big", length: $0) }
        entries += (0..<20).map { DiversitySampler.Entry(index: 200 + $0, id: "small\($0)", domain: "small", length: $0) }
        var small = 0
        for s in 0..<200 {
            small += DiversitySampler(seed: UInt64(s)).sample(entries, count: 10).filter { $0 >= 200 }.count
        }
        #expect(abs(Double(small) / 2000 - 0.5) < 0.05)
        // Asking for more than there is returns everything once.
        #expect(Set(DiversitySampler(seed: 1).sample(entries, count: 500)).count == 220)
    }

    @Test func seedItemsAreKeptFirstAndClassifierAssignsMissingDomains() throws {
        var records = PoolMaker.pool(domains: ["a", "b"], perDomain: 10)
        records.append(PoolMaker.record(["id": .string("aime-1"), "question": .string("Find the remainder when 3^100 is divided by 7."),
                                         "thinking": .string("short"), "source": .string("aime"), "solved_by": .array([.string("m")])], line: 100))
        records.append(PoolMaker.record(["id": .string("nodomain"), "question": .string("Find the eigenvalues and the determinant of the matrix [[2, 1], [1, 2]]."),
                                         "thinking": .string(String(repeating: "step ", count: 500) + "done."), "source": .string("x")], line: 101))
        records.append(PoolMaker.record(["id": .string("flagged"), "question": .string("Prove that every group of prime order is cyclic."),
                                         "thinking": .string("ok."), "source": .string("x"), "keep": .bool(true), "domain": .string("b")], line: 102))
        let opts = SelectOptions(target: 5, seed: 2, seedIDs: ["aime-1"], seedField: "keep")
        let r = try S1Selector(options: opts).run(records: records)
        #expect(Array(r.selectedIDs.prefix(2)) == ["aime-1", "flagged"])
        #expect(r.seedIDs == ["aime-1", "flagged"])
        #expect(r.warnings.contains { $0.contains("aime-1") && $0.contains("solved") })
        // The longest trace (and only classified item) in its own domain is picked with probability
        // 1/2 per pick of its domain; check its domain was assigned when present.
        if let k = r.selectedIDs.firstIndex(of: "nodomain") {
            #expect(try r.selected[k].string("domain") == "15 Linear and multilinear algebra; matrix theory")
        }
        let report = r.reportJSON(options: opts)
        #expect(report["funnel"]?["selected"]?.intValue == 5)
        #expect((report["classifier"]?["held_out"]?["accuracy"]?.doubleValue ?? 0) > 0.6)
    }

    @Test func badInputGivesClearErrors() throws {
        let sel = try S1Selector(options: SelectOptions(target: 3))
        let bad = PoolMaker.record(["id": .string("x"), "question": .string("q?"), "thinking": .string("t."), "source": .string("s"),
                                    "solved_by": .string("qwen")], line: 7)
        #expect(throws: CurationError.self) { try sel.run(records: [bad]) }
        do { _ = try sel.screen(bad); Issue.record("expected an error") } catch let e as CurationError {
            #expect(e.description.contains("pool.jsonl:7"))
            #expect(e.description.contains("solved_by"))
        }
        let badRefs = PoolMaker.record(["question": .string("q?"), "thinking": .string("t."), "source": .string("s"),
                                        "reference_answers": .array([.string("1")])], line: 9)
        do { _ = try sel.screen(badRefs); Issue.record("expected an error") } catch let e as CurationError {
            #expect(e.description.contains("pool.jsonl:9") && e.description.contains("reference_answers"))
        }
        let badQuestion = PoolMaker.record(["question": .int(3), "thinking": .string("t."), "source": .string("s")], line: 11)
        do { _ = try sel.screen(badQuestion); Issue.record("expected an error") } catch let e as CurationError {
            #expect(e.description.contains("question") && e.description.contains("string"))
        }
        #expect(throws: CurationError.self) { try S1Selector(options: SelectOptions(target: 0)) }
        var o = SelectOptions()
        o.nearDuplicates.threshold = 1.5
        #expect(throws: CurationError.self) { try S1Selector(options: o) }
    }

    @Test func emptyPoolSelectsNothingAndWarns() throws {
        let r = try S1Selector(options: SelectOptions(target: 10)).run(records: [])
        try r.check()
        #expect(r.selected.isEmpty)
        #expect(r.warnings.contains { $0.contains("only 0 items") })
    }
}

@Suite struct QualityRuleTests {
    func issue(_ q: String, thinking: String = "Some reasoning that ends well.", source: String = "s", attempt: String? = nil,
               extra: KeyValuePairs<String, JSONValue> = [:], rules: QualityRules = QualityRules()) throws -> String? {
        var o = JSONObject(["question": .string(q), "thinking": .string(thinking), "source": .string(source)])
        if let a = attempt { o["attempt"] = .string(a) }
        for e in extra { o[e.key] = e.value }
        let r = RawRecord(object: o, location: SourceLocation(file: "f", line: 1, offset: 0))
        return rules.check(try PoolItem.decode(r), record: r)?.description
    }

    @Test func eachRuleFiresAndCleanItemsPass() throws {
        #expect(try issue("What is 2 + 2?") == nil)
        #expect(try issue("   ") == "missing-field:question")
        #expect(try issue("Q?", thinking: "") == "empty-reasoning")
        #expect(try QualityRules().check(PoolItem.decode(PoolMaker.record(["question": .string("Q?"), "source": .string("s")])),
                                         record: PoolMaker.record([:]))?.description == "missing-field:thinking")
        #expect(try issue("Q?", attempt: "I'm sorry, but I can't help with that.") == "api-error")
        #expect(try issue("Q?", thinking: "Internal Server Error") == "api-error")
        #expect(try issue("Q?", thinking: "We compute the integral and get \\boxed{") == "truncated-reasoning")
        #expect(try issue("Q?", thinking: "```python\nprint(1)\n") == "truncated-reasoning")
        #expect(try issue("Q?", thinking: "Long trace.", extra: ["finish_reason": .string("length")]) == "truncated-reasoning")
        #expect(try issue("Q?", thinking: "So the answer is \\boxed{5}") == nil)
        #expect(try issue("Q?", thinking: "**Final Answer**\n\n5") == nil)
        #expect(try issue("Q?", thinking: "bad \u{0001}\u{0002}\u{0003} bytes") == "garbage-text")
        #expect(try issue("Find x. ![figure](img.png)") == "image-reference")
        #expect(try issue("Find the area of the shaded region in the diagram.") == "image-reference")
        #expect(try issue("Find x. <img src=a>") == "image-reference")
        #expect(try issue("Find the area. [asy] draw(unitcircle); [/asy]") == "asy-block")
        let allow = QualityRules(asyAllowedSources: ["math"])
        #expect(try issue("Find the area in the diagram. [asy] draw(unitcircle); [/asy]", source: "math", rules: allow) == nil)
        #expect(try issue("(a) Find x. (c) Find y.") == "broken-enumeration")
        #expect(try issue("(b) Find x. (c) Find y.") == "broken-enumeration")
        #expect(try issue("(i) Find x. (iii) Find y.") == "broken-enumeration")
        #expect(try issue("(a) Find x. (b) Find y. (c) Find z.") == nil)
        #expect(try issue("Which is largest? (A) 1 (B) 2 (C) 3 (D) 4 (E) 5") == nil)
        #expect(try issue("Let f(a) = 2 and f(c) = 3. Find f(b).") == nil)
        #expect(try issue("Parts:\n(1) Find x.\n(3) Find y.") == "broken-enumeration")
    }

    @Test func customRequiredFieldsAndPatterns() throws {
        let rules = QualityRules(requiredFields: ["question", "ground_truth"], apiErrorPatterns: ["QUOTA"])
        #expect(try issue("Q?", rules: rules) == "missing-field:ground_truth")
        #expect(try issue("Q?", thinking: "out of quota today.", extra: ["ground_truth": .string("1")], rules: rules) == "api-error")
    }
}

@Suite struct NearDuplicateTests {
    @Test func plantedNearDuplicatesAreRemovedWithTheirOriginal() throws {
        var rng = SeededRandom(seed: 3)
        var texts = (0..<200).map { _ in PoolMaker.words(40, rng: &rng) }
        // Plant: 0 -> uppercase + punctuation; 1 -> one word changed; 2 -> a word appended; 3 -> half rewritten (kept).
        texts.append(texts[0].uppercased() + "!!!")
        var w = texts[1].split(separator: " ").map(String.init); w[20] = "zzzz"; texts.append(w.joined(separator: " "))
        texts.append(texts[2] + " extra")
        var h = texts[3].split(separator: " ").map(String.init)
        for k in 0..<20 { h[k] = "new\(k)" }
        texts.append(h.joined(separator: " "))
        let f = try NearDuplicateFilter()
        let r = f.run(texts, threads: 2)
        #expect(r.duplicates.map(\.index) == [200, 201, 202])
        #expect(r.duplicates.map(\.keptIndex) == [0, 1, 2])
        #expect(r.duplicates[0].jaccard == 1)
        #expect(r.kept[203])
        #expect(r.keptIndices.count == 201)
        // Same answer with one thread.
        #expect(f.run(texts, threads: 1).duplicates == r.duplicates)
    }

    @Test func thresholdIsExactJaccard() throws {
        // 10 shared 1-grams of 12 distinct: Jaccard 10/12 = 0.833.
        let a = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda"
        let b = "alpha beta gamma delta epsilon zeta eta theta iota kappa mu"
        let strict = try NearDuplicateFilter(options: MinHashOptions(shingleSize: 1, threshold: 0.85))
        let loose = try NearDuplicateFilter(options: MinHashOptions(shingleSize: 1, threshold: 0.8))
        #expect(strict.run([a, b]).duplicates.isEmpty)
        let d = loose.run([a, b]).duplicates
        #expect(d.count == 1)
        #expect(abs((d.first?.jaccard ?? 0) - 10.0 / 12.0) < 1e-9)
    }

    @Test func personaStyleFilterReportsIDs() throws {
        let personas = [("p1", "A retired chemistry teacher who loves gardening and birdwatching"),
                        ("p2", "A software engineer in Nairobi who builds open-source tools for farmers"),
                        ("p3", "a retired chemistry teacher who loves gardening and birdwatching."),
                        ("p4", "A marine biologist studying coral reefs in the Pacific")]
        let f = try NearDuplicateFilter(options: MinHashOptions(shingleSize: 2, threshold: 0.7))
        let (kept, dropped) = f.filter(personas, text: { $0.1 }, id: { $0.0 })
        #expect(kept.map(\.0) == ["p1", "p2", "p4"])
        #expect(dropped.count == 1 && dropped[0].item.0 == "p3" && dropped[0].duplicateOf == "p1")
    }

    @Test func signaturesEstimateJaccard() throws {
        var rng = SeededRandom(seed: 9)
        let base = (0..<400).map { _ in PoolMaker.words(1, rng: &rng) }
        let a = base.joined(separator: " ")
        let b = (base.prefix(300) + (0..<100).map { "other\($0)" }).joined(separator: " ")
        let h = MinHasher(options: MinHashOptions(shingleSize: 1, permutations: 256))
        let sa = h.sketch(a), sb = h.sketch(b)
        #expect(abs(sa.estimatedJaccard(sb) - sa.jaccard(sb)) < 0.1)
        #expect(h.sketch(a).signature == sa.signature)
        // The banding puts the S-curve's steep part below the threshold (misses cost more than checks).
        let band = MinHashOptions().effectiveBanding
        #expect(band.bands * band.rows <= 128)
        #expect(band.candidateProbability(0.8) > 0.97)
        #expect(band.candidateProbability(0.3) < 0.05)
    }
}

@Suite struct DomainClassifierTests {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: FixturePath.path("select/" + name), encoding: .utf8)
    }

    @Test func heldOutAccuracyIsAboveFloor() throws {
        let acc = try #require(DomainClassifier.builtIn.heldOut)
        #expect(acc.total >= 150)
        #expect(acc.accuracy > 0.65, "held-out accuracy \(acc.accuracy)")
        // Every domain has at least 20 training examples.
        let (train, _) = try DomainClassifier.builtInExamples()
        var counts: [String: Int] = [:]
        for e in train { counts[e.label, default: 0] += 1 }
        #expect(counts.count == 18)
        #expect(counts.values.allSatisfy { $0 >= 20 })
        #expect(DomainClassifier.builtIn.classify("Write a Python function that sorts a list of dictionaries by key.") == "code")
        #expect(DomainClassifier.builtIn.classify("Two dice are rolled. What is the probability that both show a six?")
            == "60 Probability theory and stochastic processes")
    }

    @Test func embeddedSetsMatchTheFixtureFiles() throws {
        let (train, held) = try DomainClassifier.builtInExamples()
        func load(_ name: String) throws -> [NaiveBayesClassifier.Example] {
            try DomainClassifier.examples(files: [FixturePath.path("select/" + name)])
        }
        #expect(try load("domains-train.jsonl") == train)
        #expect(try load("domains-heldout.jsonl") == held)
    }

    @Test func trainsOnCustomSets() throws {
        let dir = temporaryDirectory("nb")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/train.jsonl"
        try "{\"text\": \"red apple fruit\", \"domain\": \"fruit\"}\n{\"text\": \"blue car engine\", \"domain\": \"car\"}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let c = try DomainClassifier.train(files: [path], heldOut: [path])
        #expect(c.classify("a green apple") == "fruit")
        #expect(c.heldOut?.accuracy == 1)
        try "{\"text\": \"no label\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: CurationError.self) { try DomainClassifier.train(files: [path]) }
    }
}

@Suite struct SeededRandomTests {
    @Test func reproducibleAndInRange() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
        let xa = (0..<100).map { _ in a.next() }
        #expect(xa == (0..<100).map { _ in b.next() })
        #expect(xa != (0..<100).map { _ in c.next() })
        var r = SeededRandom(seed: 1)
        var hist = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { hist[r.uniform(below: 7)] += 1 }
        #expect(hist.allSatisfy { abs($0 - 10_000) < 500 })
        for _ in 0..<1000 { let u = r.unitDouble(); #expect(u >= 0 && u < 1) }
        // Known first value for seed 0 pins the algorithm (xoshiro256** seeded by SplitMix64).
        var z = SeededRandom(seed: 0)
        #expect(z.next() == 11_091_344_671_253_066_420)
    }
}

/// The baselines of s1's data ablation (`strategy: random | longest | diversity`): no filter, the whole pool.
@Suite struct SelectStrategyTests {
    /// Three domains of 10 clean items (item i's trace is 20 + 10 i words) and 4 defective items.
    static func pool() -> [RawRecord] {
        var records = PoolMaker.pool(domains: ["algebra", "geometry", "combinatorics"], perDomain: 10)
        for i in 0..<4 {
            records.append(PoolMaker.record([
                "id": .string("defect-\(i)"), "question": .string("What is \(i) plus \(i)?"),
                "thinking": .string(""), "source": .string("gen"), "domain": .string("algebra"),
            ], line: 100 + i))
        }
        return records
    }

    func select(_ strategy: SelectStrategy, target: Int, seed: UInt64 = 3, records: [RawRecord] = pool()) throws -> SelectionResult {
        var o = SelectOptions(target: target, seed: seed)
        o.strategy = strategy
        let r = try S1Selector(options: o).run(records: records, threads: 2)
        try r.check()
        return r
    }

    @Test func longestTakesTheLongestTracesWhateverTheirQuality() throws {
        let r = try select(.longest, target: 3)
        // Item 9 of each domain has the longest trace (110 words).
        #expect(Set(r.selectedIDs) == ["algebra-9", "geometry-9", "combinatorics-9"])
        #expect(r.quality.droppedTotal == 0 && r.difficulty.droppedTotal == 0)
        #expect(r.diversity.recordsIn == 34 && r.diversity.dropped["not-selected"] == 31)
    }

    @Test func randomDrawsFromTheWholePoolIndependentlyOfInputOrder() throws {
        let all = try select(.random, target: 34)
        #expect(Set(all.selectedIDs).count == 34)   // defects included: no filter
        let a = try select(.random, target: 12)
        let b = try select(.random, target: 12, records: Self.pool().reversed())
        #expect(a.selectedIDs == b.selectedIDs)
        let other = try select(.random, target: 12, seed: 4)
        #expect(a.selectedIDs != other.selectedIDs)
        // A random draw is not the longest one.
        let longest = try select(.longest, target: 12)
        #expect(Set(a.selectedIDs) != Set(longest.selectedIDs))
    }

    @Test func diversityBalancesDomainsWithoutFavouringLongTraces() throws {
        var counts: [String: Int] = [:]
        var positions: [Int] = []
        for seed in UInt64(1)...20 {
            let r = try select(.diversity, target: 9, seed: seed)
            for id in r.selectedIDs {
                if id.hasPrefix("defect") { counts["algebra", default: 0] += 1; continue }   // the defects are algebra items
                counts[String(id.split(separator: "-")[0]), default: 0] += 1
                if let last = id.split(separator: "-").last, let i = Int(last) { positions.append(i) }
            }
        }
        // Domains are drawn uniformly (algebra has 14 items, the others 10, yet each gets about a third).
        for d in ["algebra", "geometry", "combinatorics"] { #expect((45...75).contains(counts[d] ?? 0), "\(counts)") }
        // Items are uniform within a domain: mean index near 4.5, where s1's 2^-rank weighting gives about 8.
        let s1 = try select(.s1, target: 9)
        #expect(s1.selectedIDs.allSatisfy { !$0.hasPrefix("defect") })
        let mean = Double(positions.reduce(0, +)) / Double(max(1, positions.count))
        #expect(mean < 6.5, "mean index \(mean)")
    }
}
