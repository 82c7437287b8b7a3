import Curation
import Foundation

/// A shareable stage that needs something done once, before any of its tasks starts (decontam's eval
/// index): the executor calls it in the parent, so N tasks never race to build the same file.
protocol PreparesShares {
    func prepareShares(inputs: [StageInput], output: String, context: StageContext) throws
}

/// A shareable stage whose shares are not joined by concatenation but finished by one step in the
/// executor (select's sampling over every share's candidates): it writes the stage's output and report.
protocol MergesShares {
    func mergeShares(output: String, count: Int, context: StageContext) throws -> StageOutcome
}

/// A shareable stage that writes more than the merged report once its shares are merged (decontam's
/// publishable `report.md`). Returns the summary lines an inline run would show.
protocol FinishesShares {
    func finishShares(output: String, report: StageReport) throws -> String
}
