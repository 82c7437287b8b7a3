import Curation
import Foundation
import Mixer
import Yams

/// One stage as the run recipe declares it: name, kind, inputs, and its mapping (the settings), with
/// where it sits in the recipe for error messages.
struct StageSpec {
    var name: String
    var kind: String
    /// Input names with their nodes (for errors naming the line of a bad input).
    var inputs: [(name: String, node: Node)]
    var node: Node
    var position: Int
    /// `stages[2] "mix"`: how errors name this stage.
    var entry: String
}

/// An input as a stage receives it: the files to read, in order.
struct StageInput {
    var name: String
    /// `source` or `stage`.
    var kind: String
    var files: [String]
}

/// What the recipe runner gives every stage besides its inputs.
struct StageContext {
    var threads: Int
    var memory: Int
    var quiet: Bool
    /// The run's seed (a stage may have its own in its settings).
    var seed: UInt64
    /// Set when this is one task of a sharded stage (`run --executor local|slurm --tasks N`): the
    /// stage reads only its share of the inputs (`ShareRun`) and writes a share output (`ShardOptions.share`);
    /// the executor writes the task's `ShareRecord` and merges. Only `shareable` kinds are given one.
    var share: ShardSpec? = nil
}

/// What a stage hands back: its report (in = out + dropped checked) and its output manifest.
struct StageOutcome {
    var report: StageReport
    var manifest: Manifest
    /// A few lines for the person running the recipe (e.g. the mix's per-source table).
    var summary: String = ""
    /// For a share: every output it wrote (the `part` manifest first, then others such as decontam's
    /// `removed`), and its side files under their merged names (see `ShareRecord.sideFiles`).
    var shareOutputs: [Manifest] = []
    var sideFiles: [String] = []
    /// For a share whose report to merge is not `report` (decontam's scan report): the stage name
    /// `ShareMerging` merges it by, its JSON, and the file the merged report goes to.
    var shareReport: (stage: String, json: JSONValue, file: String)? = nil
    /// For a share: what it read (`InputSlice` descriptions), kept in its `ShareRecord` for people.
    var slices: [String] = []
}

/// A kind of stage the recipe runner can run. Each module's stages plug in with one adapter file in
/// `Run/Stages/` that conforms to this and one line in `StageRegistry.all`.
///
/// Conventions every runner keeps: it writes its records as `part-NNNNN.jsonl.zst` shards with the
/// manifest `part.manifest.json` into the output directory it is given (through `ShardedWriter`, so a
/// killed stage leaves no half shard under a final name), and returns its report; the runner writes
/// `report.json`, records the stage in the run store and decides about skipping.
protocol StageRunner {
    /// The `kind:` value this runner handles.
    static var kind: String { get }
    /// The stage's own keys besides `name`, `kind` and `inputs` (anything else is an error).
    static var settingKeys: Set<String> { get }
    /// Reads and checks the stage's settings when the recipe is loaded, so a bad setting fails before
    /// any stage runs. Errors are `RecipeError`s naming `spec.entry` and the line.
    init(spec: StageSpec, document: YAMLDocument, runSeed: UInt64) throws
    /// The settings that determine the output: stored in the run store and part of the fingerprint.
    var settings: JSONValue { get }
    /// Runs the stage over its inputs (in the order the recipe lists them) into `output`.
    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome
    /// Whether the stage can run as N tasks each doing a share of its input, merged after (record-wise
    /// stages). False by default: the stage runs as one task.
    static var shareable: Bool { get }
}

extension StageRunner {
    static var shareable: Bool { false }
}

/// The stage kinds the runner knows. To add one: write `Run/Stages/<Kind>StageRunner.swift` and list it here.
enum StageRegistry {
    static let all: [any StageRunner.Type] = [ConvertStageRunner.self, NormalizeStageRunner.self, MixStageRunner.self, DecontamStageRunner.self, VerifyStageRunner.self, VoteStageRunner.self, SelectStageRunner.self, SFTStageRunner.self, DPOStageRunner.self, RLVRStageRunner.self, PersonaStageRunner.self, GenerateStageRunner.self, EvalStageRunner.self, SynthStageRunner.self]

    static func runner(kind: String) -> (any StageRunner.Type)? { all.first { $0.kind == kind } }
    static var kinds: [String] { all.map { $0.kind } }
}
