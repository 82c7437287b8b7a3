import Foundation

/// A recipe run as the run store keeps it.
public struct RunRecord: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Started and not finished: still going, or killed (a later run of the same recipe resumes it).
        case running
        case succeeded
        case failed
    }
    public var id: Int64
    /// The recipe file as given, and the XXH3-128 of its bytes.
    public var recipe: String
    public var recipeHash: String
    public var status: Status
    public var startedAt: Date
    public var finishedAt: Date?
    /// How many times the run was started (1, plus one per resume).
    public var attempts: Int
    public var error: String?
    /// The tool that started the run (nil in stores written before it was recorded).
    public var toolVersion: String? = nil
    public var toolBuild: String? = nil
}

/// One stage of a run: what went in (inputs with content hashes, settings), what came out (the output
/// manifest and its hash), counts, drop reasons, timing and status.
public struct StageRecord: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case running
        /// Ran to the end in this run.
        case done
        /// Not run: an earlier run made the same outputs from the same inputs and settings, and they verify.
        case skipped
        case failed
        /// Was running when its process died; the resume redoes it.
        case interrupted
    }
    public struct Input: Sendable, Equatable, Codable {
        public var name: String
        /// `source` (files named in the recipe) or `stage` (an earlier stage's output).
        public var kind: String
        /// XXH3-128 over the files' bytes (sources) or over the manifest (stages).
        public var contentHash: String
        public var files: [String]
        public init(name: String, kind: String, contentHash: String, files: [String]) {
            self.name = name; self.kind = kind; self.contentHash = contentHash; self.files = files
        }
    }
    public var id: Int64
    public var runID: Int64
    public var name: String
    public var kind: String
    public var position: Int
    public var status: Status
    /// Hash of (kind, settings, input content hashes): equal fingerprints mean the same work.
    public var fingerprint: String
    /// The stage's settings as JSON text.
    public var settings: String
    public var inputs: [Input]
    public var outputDirectory: String
    /// The output manifest (JSON text) and its XXH3-128, once done.
    public var outputManifest: String?
    public var outputHash: String?
    public var recordsIn: Int?
    public var recordsOut: Int?
    /// Drop reasons -> counts, as JSON text.
    public var dropped: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var seconds: Double?
    public var attempts: Int
    /// For a skipped stage: the run whose outputs were reused.
    public var reusedFromRun: Int64?
    public var error: String?
    /// The build (`ToolBuild.build`) that produced the outputs; nil when unknown (older stores).
    public var toolBuild: String? = nil
}

/// Errors of the run store beyond SQLite failures (which are `CurationError.store`).
public enum RunStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchRun(Int64)
    case noSuchStage(run: Int64, name: String)
    /// Another process is running a recipe on this store.
    case busy(path: String)

    public var description: String {
        switch self {
        case .noSuchRun(let id): return "no run with id \(id)"
        case .noSuchStage(let run, let name): return "run \(run) has no stage \"\(name)\""
        case .busy(let path): return "\(path): another run is using this run store (lock held)"
        }
    }
}
