/// What a driver (the CLI's `sft` and `dpo` jobs) needs from a trainer to run it step by step with
/// periodic checkpoints and `--resume`: both trainers step, save and resume the same way (through
/// `OptimizerLoop`), so one driver loop serves both and only the per-step metrics differ.
public protocol ResumableTrainer: AnyObject {
    /// What one optimiser step reports.
    associatedtype Metrics
    /// Steps taken so far (the next step's 0-based index).
    var step: Int { get }
    /// Steps this run will take in total.
    var totalSteps: Int { get }
    var isFinished: Bool { get }
    /// Takes one optimiser step.
    func trainStep() throws -> Metrics
    /// Writes a resumable checkpoint (model folder plus `extraFiles`, optimiser moments, trainer state).
    func saveCheckpoint(to directory: String, extraFiles: [String: [UInt8]]) throws
    /// Continues from a checkpoint written by `saveCheckpoint` for the same data and settings.
    func resume(from directory: String) throws
}

extension SFTTrainer: ResumableTrainer {}
extension DPOTrainer: ResumableTrainer {}
