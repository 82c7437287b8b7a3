import Curation
import Foundation
import Trainer

/// Pieces SFT and DPO share in the CLI and in recipe stages: reading records, a metrics file,
/// progress lines, checkpoint rotation and the model's tokenizer files.
enum TrainingSupport {
    /// Reads every record of the files (training sets are small enough to hold).
    static func readRecords(_ files: [String], policy: ErrorPolicy = .fail, rejected: RejectedWriter? = nil) throws -> (records: [RawRecord], counts: ReadCounts) {
        let reader = RecordReader(files: files, policy: policy, rejected: rejected)
        var out: [RawRecord] = []
        try reader.forEach { out.append($0) }
        return (out, reader.counts)
    }

    /// Loads `--model` (folder or GGUF) and picks the chat template: `--template` if named, else the
    /// checkpoint's, else Tulu.
    static func loadModel(_ path: String, template name: String?) throws -> (LlamaModel, BPETokenizer, ChatTemplate) {
        let loaded = try ModelLoader.load(path: path)
        let template = try name.map { try ChatTemplate.named($0, tokenizer: loaded.tokenizer) } ?? loaded.chatTemplate
            ?? ChatTemplate.named("tulu", tokenizer: loaded.tokenizer)
        return (loaded.model, loaded.tokenizer, template)
    }

    /// Replaces `dir/checkpoint` with a freshly written one: written and fsynced beside it first, then
    /// swapped in, the old one removed last (`CheckpointRotation`), so a kill at any moment leaves a
    /// checkpoint `--resume` can use.
    static func rotateCheckpoint(output: String, write: (String) throws -> Void) throws {
        try CheckpointRotation.replace((output as NSString).appendingPathComponent("checkpoint"), write: write)
    }

    static func checkpointPath(_ output: String) -> String { (output as NSString).appendingPathComponent("checkpoint") }

    /// `--resume`: continues `trainer` from OUTPUT/checkpoint. A missing checkpoint is an error rather
    /// than a silent fresh start, which would overwrite the metrics of the interrupted run.
    static func resume(_ trainer: some ResumableTrainer, output: String) throws {
        let ckpt = checkpointPath(output)
        guard let found = CheckpointRotation.resolve(ckpt) else {
            throw CurationError.invalidArgument("--resume: no checkpoint in \(ckpt)")
        }
        try trainer.resume(from: found)
    }

    /// Steps `trainer` until it finishes or has taken `stopAfter` steps (an interruption, for tests),
    /// handing each step's metrics to `onStep`, then replacing OUTPUT/checkpoint every `saveEvery`
    /// steps. The checkpoint after the last step is left to the caller (`saveCheckpoint`), which may
    /// have end-of-run work (a final evaluation) to do first.
    static func train<T: ResumableTrainer>(_ trainer: T, output: String, saveEvery: Int, stopAfter: Int?,
                                           extraFiles: [String: [UInt8]], onStep: (T.Metrics) throws -> Void) throws {
        while !trainer.isFinished {
            if let s = stopAfter, trainer.step >= s { break }
            try onStep(try trainer.trainStep())
            if saveEvery > 0, trainer.step % saveEvery == 0, !trainer.isFinished {
                try saveCheckpoint(trainer, output: output, extraFiles: extraFiles)
            }
        }
    }

    /// Replaces OUTPUT/checkpoint with the trainer's current state.
    static func saveCheckpoint(_ trainer: some ResumableTrainer, output: String, extraFiles: [String: [UInt8]]) throws {
        try rotateCheckpoint(output: output) { try trainer.saveCheckpoint(to: $0, extraFiles: extraFiles) }
    }

    static func hms(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        let t = Int(s.rounded())
        return String(format: "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60)
    }

    /// Peak resident set size of this process in bytes.
    static func peakRSS() -> Int {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Int(u.ru_maxrss) * 1024
    }
}

/// `metrics.jsonl`: one JSON object per step (and per evaluation), appended and flushed as training goes.
final class MetricsFile {
    let path: String
    private let handle: FileHandle
    private(set) var rows: [JSONValue] = []

    /// OUTPUT/metrics.jsonl, opened as `init(path:resumeStep:)` does.
    convenience init(output: String, resumeStep: Int?) throws {
        try self.init(path: (output as NSString).appendingPathComponent("metrics.jsonl"), resumeStep: resumeStep)
    }

    /// Opens the file; a fresh run truncates it, a resumed one drops rows past the resumed step.
    init(path: String, resumeStep: Int?) throws {
        self.path = path
        var keep: [UInt8] = []
        if let step = resumeStep, let data = FileManager.default.contents(atPath: path) {
            for line in data.split(separator: 0x0A) where !line.isEmpty {
                if let j = try? JSONParser.parse(Array(line)), let s = j["step"]?.intValue, s <= step {
                    keep.append(contentsOf: line); keep.append(0x0A); rows.append(j)
                }
            }
        }
        try AtomicFileWriter.write(keep, to: path)
        guard let h = FileHandle(forWritingAtPath: path) else { throw CurationError.io(path: path, reason: "cannot open for writing") }
        handle = h
        handle.seekToEndOfFile()
    }

    func append(_ fields: [(String, JSONValue)]) {
        let v = JSONValue.object(JSONObject(fields.map { .init(key: $0.0, value: $0.1) }))
        rows.append(v)
        handle.write(Data(JSONWriter.bytes(v) + [0x0A]))
    }

    func close() { try? handle.close() }
}

/// Progress on stderr at most every `interval` seconds (and always for the last step).
struct ProgressLine {
    var quiet: Bool
    var started = Date()
    var last = Date.distantPast
    var tokens = 0
    var interval = 2.0

    mutating func step(_ step: Int, of total: Int, tokens n: Int, _ fields: String) {
        tokens += n
        guard !quiet else { return }
        let now = Date()
        guard step == total || now.timeIntervalSince(last) >= interval else { return }
        last = now
        let el = now.timeIntervalSince(started)
        let tps = el > 0 ? Double(tokens) / el : 0
        let eta = step > 0 ? el / Double(step) * Double(total - step) : .nan
        Console.info("step \(step)/\(total) \(fields) tok/s \(Int(tps)) eta \(TrainingSupport.hms(eta))")
    }
}

/// Writes the stage-style output beside a model folder: the metrics as a one-shard JSONL with its
/// manifest, so the run store can verify the stage's output like any other.
enum MetricsShard {
    static func write(_ rows: [JSONValue], directory: String) throws -> Manifest {
        let w = try ShardedWriter(directory: directory, options: ShardOptions(prefix: "part", workers: 1))
        for r in rows { try w.write(try RawRecord(bytes: JSONWriter.bytes(r), location: SourceLocation(file: "metrics", line: 0, offset: 0))) }
        return try w.finish()
    }
}
