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
    func mergeShares(inputs: [StageInput], output: String, count: Int, context: StageContext) throws -> StageOutcome
}

/// A shareable stage whose shares need phases of tasks before them (a mix: scan, one plan task, gather;
/// see `MixShares`). Each phase's tasks start once the whole phase before has finished, and the shares
/// once the last phase has; a phase task's `PhaseRecord` says it finished. When every share is finished
/// the phases are not run again (the merge removes their files).
protocol RunsInPhases {
    var phases: [SharePhase] { get }
    /// Task `share` of `phase` (of `count` shares of the stage; a single phase's task is `0/1`).
    func runPhase(_ phase: SharePhase, share: ShardSpec, count: Int, inputs: [StageInput], output: String, context: StageContext) throws
}

/// A phase before a stage's shares: N tasks, or one (`single`).
struct SharePhase: Equatable {
    var name: String
    var single: Bool
    func count(_ n: Int) -> Int { single ? 1 : n }
}

/// A shareable stage that writes more than the merged report once its shares are merged (decontam's
/// publishable `report.md`). Returns the summary lines an inline run would show.
protocol FinishesShares {
    func finishShares(output: String, report: StageReport) throws -> String
}
