/// A setting of the synthetic task family, named once so that the CLI can say `--eval-count` and a run
/// recipe can say `eval_count` about the same check: the library validates, the caller names.
public enum SynthParameter: String, CaseIterable, Sendable {
    case evalCount = "eval_count"
    case trainCount = "train_count"
    case pretrainCount = "pretrain_count"
    case minSteps = "min_steps"
    case maxSteps = "max_steps"
    case maxNumber = "max_number"
    case samples
    case errorRate = "error_rate"
    case systematicShare = "systematic_share"
    case systematicAgreement = "systematic_agreement"
    case plantDose = "plant_dose"
    case plantItems = "plant_items"
    case plantKinds = "plant_kinds"
    case defectShare = "defect_share"
    case weakSolverThreshold = "weak_solver_threshold"
    case selfCheckWords = "self_check_words"

    /// The recipe setting key (`eval_count`).
    public var setting: String { rawValue }
    /// The command-line flag (`--eval-count`).
    public var flag: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }
}

/// Why synthesis refused its settings or could not finish. Library code throws these; the CLI and the
/// recipe runner render them with their own names for the parameter (`message(naming:)`).
public enum SynthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A parameter outside its allowed range; the text says what is allowed and what was given.
    case outOfRange(SynthParameter, String)
    /// Too few distinct problems of this split exist at this difficulty to fill the asked count (a
    /// narrow step range with small numbers has few distinct problems).
    case problemSpaceExhausted(split: String, wanted: Int, found: Int, candidates: Int)

    public var description: String { message(naming: { $0.flag }) }

    /// The error's text with the parameter named by `naming` (a flag or a recipe key).
    public func message(naming: (SynthParameter) -> String) -> String {
        switch self {
        case .outOfRange(let p, let text): return "\(naming(p)) \(text)"
        case .problemSpaceExhausted(let split, let wanted, let found, let candidates):
            return "only \(found) distinct \(split) problems found in \(candidates) candidates, \(wanted) asked: "
                + "raise \(naming(.maxNumber)) or widen \(naming(.minSteps))..\(naming(.maxSteps)), or ask for fewer"
        }
    }
}
