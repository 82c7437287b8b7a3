import Curation
import Foundation
import Testing

/// `gold: ignore` (Tulu 3's persona math, where no gold answer exists): the vote alone decides; `check`
/// (the default) drops a majority that disagrees with `ground_truth`.
struct VoteGoldTests {
    /// Three of four samples agree on 7; the gold answer is 8.
    static let wrongMajority = #####"{"id":"p1","dataset":"gsm8k","ground_truth":"8","completions":["#### 7","#### 7","#### 8","#### 7"]}"#####
    static let rightMajority = #####"{"id":"p2","dataset":"gsm8k","ground_truth":"5","completions":["#### 5","#### 5","#### 5","#### 2"]}"#####

    func run(_ gold: VoteGold) throws -> ([RawRecord], StageReport) {
        var options = VoteOptions(threads: 1)
        options.gold = gold
        let stage = try VoteStage(options: options)
        var out: [RawRecord] = []
        for (i, l) in [Self.wrongMajority, Self.rightMajority].enumerated() {
            try stage.process(try RawRecord(bytes: Array(l.utf8), location: SourceLocation(file: "s.jsonl", line: i + 1, offset: 0))) { out.append($0) }
        }
        let report = try stage.finish { out.append($0) }
        return (out, report)
    }

    @Test func checkDropsAWrongMajorityAndIgnoreKeepsIt() throws {
        let (checked, checkReport) = try run(.check)
        #expect(checked.count == 1)
        #expect(checkReport.dropped[VoteDropReason.disagreesWithGold.rawValue] == 1)
        #expect(checkReport.recordsIn == checkReport.recordsOut + checkReport.droppedTotal)

        let (ignored, ignoreReport) = try run(.ignore)
        #expect(ignored.count == 2)
        #expect(ignoreReport.droppedTotal == 0)
        // The kept wrong majority still says it disagrees with the gold answer, so a lab can count it.
        let first = try #require(ignored.first)
        #expect(try first.value("vote")?["gold_match"] == .bool(false))
        #expect(try first.value("vote")?["answer"]?.stringValue == "7")
        #expect(ignoreReport.settings["gold"] == .string("ignore"))
    }
}
