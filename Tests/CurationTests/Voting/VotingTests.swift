import Foundation
import Testing
import Curation

struct VotingTests {
    static let loc = SourceLocation(file: "samples.jsonl", line: 1, offset: 0)

    func record(_ json: String, line: Int = 1) throws -> RawRecord {
        try RawRecord(bytes: Array(json.utf8), location: SourceLocation(file: "samples.jsonl", line: line, offset: 0))
    }

    /// Runs the stage over records; returns outputs and the report.
    func run(_ lines: [String], _ options: VoteOptions = VoteOptions(threads: 2), policy: ErrorPolicy = .fail) throws -> ([RawRecord], StageReport, VoteStatistics) {
        let stage = try VoteStage(options: options, policy: policy)
        var out: [RawRecord] = []
        for (i, l) in lines.enumerated() { try stage.process(try record(l, line: i + 1)) { out.append($0) } }
        let report = try stage.finish { out.append($0) }
        return (out, report, stage.statistics)
    }

    func text(_ r: RawRecord) -> String { String(decoding: r.bytes, as: UTF8.self) }

    @Test func majorityByEquivalenceNotStrings() {
        let t = SelfConsistency.vote(completions: ["so \\boxed{0.5}", "\\boxed{\\frac{1}{2}}", "answer is 1/2.", "\\boxed{3}"],
                                     groundTruth: nil, dataset: .math, options: VoteOptions())
        #expect(t.votes == 3 && t.total == 4 && t.dropReason == nil)
        #expect(t.groups.map(\.count) == [3, 1])
        #expect(t.selected == [0])
        #expect(t.majorityAnswer?.text == "0.5")
    }

    @Test func strictMajorityOfAllCompletionsIncludingUnanswered() {
        // 2 of 4 agree and 2 have no answer: 0.5 is not > 0.5.
        let t = SelfConsistency.vote(completions: ["Answer: 5", "Answer: 5", "no idea", "hmm"], groundTruth: nil, dataset: .gsm8k, options: VoteOptions())
        #expect(t.dropReason == .noMajority)
        #expect(t.answered == 2)
        let lower = SelfConsistency.vote(completions: ["Answer: 5", "Answer: 5", "no idea", "hmm"], groundTruth: nil, dataset: .gsm8k, options: VoteOptions(minAgreement: 0.4))
        #expect(lower.dropReason == nil)
    }

    @Test func tiesAreNoMajority() {
        let t = SelfConsistency.vote(completions: ["Answer: 1", "Answer: 2", "Answer: 1", "Answer: 2"], groundTruth: nil, dataset: .gsm8k, options: VoteOptions(minAgreement: 0.2))
        #expect(t.dropReason == .noMajority)
        #expect(t.groups.map(\.count) == [2, 2])
    }

    @Test func noAnswers() {
        let t = SelfConsistency.vote(completions: ["I cannot solve this.", "Unsure."], groundTruth: "4", dataset: .math, options: VoteOptions())
        #expect(t.dropReason == .noAnswer)
        #expect(t.goldMatch == nil)
    }

    @Test func goldDisagreementAndAgreement() {
        let c = ["\\boxed{12}", "\\boxed{12}", "\\boxed{13}"]
        let bad = SelfConsistency.vote(completions: c, groundTruth: "$13$", dataset: .math, options: VoteOptions())
        #expect(bad.dropReason == .disagreesWithGold && bad.goldMatch == false)
        let good = SelfConsistency.vote(completions: c, groundTruth: "Solution ... so \\boxed{12.0}", dataset: .math, options: VoteOptions())
        #expect(good.dropReason == nil && good.goldMatch == true)
    }

    @Test func preferShortestAndKeepAll() {
        let c = ["long reasoning here... Answer: 7", "Answer: 7", "Answer: 8", "more words Answer: 7"]
        let shortest = SelfConsistency.vote(completions: c, groundTruth: nil, dataset: .gsm8k, options: VoteOptions(prefer: .shortest))
        #expect(shortest.selected == [1])
        let all = SelfConsistency.vote(completions: c, groundTruth: nil, dataset: .gsm8k, options: VoteOptions(keep: .all))
        #expect(all.selected == [0, 1, 3])
    }

    @Test func listLayoutKeepsBytesAndAddsVote() throws {
        let lines = [
            #"{"id":"p1","prompt":"2+2?","extra":{"k":[1,2.50]},"completions":["Answer: 4","Answer: 4","Answer: 5"],"completion_meta":[{"tokens":3},{"tokens":2},{"tokens":1}],"dataset":"gsm8k","source":"s1"}"#,
            #"{"id":"p2","prompt":"?","completions":["Answer: 1","Answer: 2"],"dataset":"gsm8k","source":"s2"}"#,
            #"{"id":"p3","prompt":"?","ground_truth":"Answer: 9","completions":["Answer: 8","Answer: 8","Answer: 8"],"dataset":"gsm8k","source":"s1"}"#,
        ]
        let (out, report, stats) = try run(lines, VoteOptions(keep: .one, threads: 2))
        #expect(out.count == 1)
        let t = text(try #require(out.first))
        #expect(t.hasPrefix(#"{"id":"p1","prompt":"2+2?","extra":{"k":[1,2.50]},"completions":["Answer: 4"],"completion_meta":[{"tokens":3}]"#))
        let vote = try #require(try out[0].value("vote")?.objectValue)
        #expect(vote["answer"]?.stringValue == "4" && vote["votes"]?.intValue == 2 && vote["completions"]?.intValue == 3)
        #expect(vote["selected"] == .array([.int(0)]))
        #expect(report.recordsIn == 3 && report.recordsOut == 1)
        #expect(report.dropped == ["no-majority": 1, "disagrees-with-gold": 1])
        #expect(stats.kept == 1 && stats.instances == 3)
        #expect(stats.perSource["s1"]?.instances == 2 && stats.perSource["s1"]?.kept == 1)
        #expect(stats.agreementHistogram[10] == 1 && stats.agreementHistogram[6] == 1 && stats.agreementHistogram[5] == 1)
        #expect(report.json["vote"]?["kept_percent"] == .double(33.3))
    }

    @Test func keepAllWithAllAgreeingLeavesRecordUntouchedExceptVote() throws {
        let line = #"{"id":"q","completions":["\\boxed{2}", "\\boxed{2.0}"]}"#
        let (out, _, _) = try run([line], VoteOptions(keep: .all))
        let t = text(try #require(out.first))
        #expect(t.hasPrefix(#"{"id":"q","completions":["\\boxed{2}", "\\boxed{2.0}"],"vote":{"#))
    }

    @Test func perCompletionLayoutGroupsByIdInAnyOrder() throws {
        let lines = [
            #"{"id":"a","completion":"\\boxed{1}","ground_truth":"1"}"#,
            #"{"id":"b","completion":"\\boxed{7}"}"#,
            #"{"id":"a","completion":"The answer is 1."}"#,
            #"{"id":"b","completion":"\\boxed{8}"}"#,
            #"{"id":"a","completion":"\\boxed{2}"}"#,
        ]
        let (out, report, stats) = try run(lines, VoteOptions(keep: .all))
        #expect(out.count == 2)
        #expect(out.allSatisfy { (try? $0.string("id")) == "a" })
        #expect(out.map { try? $0.string("completion") } == ["\\boxed{1}", "The answer is 1."])
        #expect(report.recordsIn == 5 && report.recordsOut == 2)
        #expect(report.dropped == ["no-majority": 2, "not-selected": 1])
        #expect(stats.instances == 2)
        #expect(try out[0].value("vote")?["gold_match"] == .bool(true))
    }

    @Test func completionsNotAListIsAClearError() throws {
        let line = #"{"id":"x","completions":"Answer: 4"}"#
        #expect {
            _ = try run([line])
        } throws: { e in
            guard case CurationError.badRecord(let loc, let reason, _) = e else { return false }
            return loc.line == 1 && reason.contains("completions") && reason.contains("list of strings") && reason.contains("found string")
        }
        let notStrings = #"{"id":"x","completions":["Answer: 4", 5]}"#
        #expect {
            _ = try run([notStrings])
        } throws: { e in
            (e as? CurationError)?.reason.contains("completions[1] should be a string, found number") == true
        }
    }

    @Test func perCompletionWithoutIdIsAClearError() throws {
        let lines = [#"{"id":"a","completion":"Answer: 4"}"#, #"{"completion":"Answer: 4"}"#]
        #expect {
            _ = try run(lines)
        } throws: { e in
            guard case CurationError.badRecord(let loc, let reason, _) = e else { return false }
            return loc.line == 2 && reason.contains("needs an \"id\"")
        }
    }

    @Test func badRecordsSkippedAreCounted() throws {
        let lines = [
            #"{"id":"x","completions":"oops"}"#,
            #"{"prompt":"no completions"}"#,
            #"{"id":"y","completions":["Answer: 3"],"dataset":"ifeval"}"#,
            #"{"id":"z","completions":["Answer: 3"]}"#,
        ]
        let (out, report, _) = try run(lines, policy: .skip)
        #expect(out.count == 1)
        #expect(report.recordsIn == 4)
        #expect(report.dropped == ["rejected:completions-not-a-list": 1, "rejected:not-samples": 1, "rejected:unknown-dataset": 1])
        try report.check()
    }

    @Test func deterministicAcrossThreadCounts() throws {
        var lines: [String] = []
        for i in 0..<300 {
            let a = i % 7, b = (i * 3) % 5
            lines.append(#"{"id":"p\#(i)","completions":["Answer: \#(a)","\\boxed{\#(a)}","Answer: \#(b)","The answer is \#(a)."]}"#)
        }
        let one = try run(lines, VoteOptions(threads: 1, batchSize: 16))
        let two = try run(lines, VoteOptions(threads: 2, batchSize: 7))
        #expect(one.0.map(\.bytes) == two.0.map(\.bytes))
        #expect(one.1.dropped == two.1.dropped)
    }
}
