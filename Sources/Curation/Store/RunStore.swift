import Foundation
import GRDB

/// The run store (DESIGN.md section 3): one SQLite file beside a recipe's outputs that records every
/// run and stage, so a run can be resumed, a stage whose inputs and settings are unchanged can be
/// skipped, and a person can audit which inputs produced which outputs with what settings, and why
/// records were dropped. Every stage of every module records itself through this one type.
public final class RunStore {
    public let path: String
    private let db: DatabaseQueue

    /// Opens (creating and migrating) the store at `path`.
    public init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        do {
            var config = Configuration()
            config.busyMode = .timeout(10)
            db = try DatabaseQueue(path: path, configuration: config)
            try RunStore.migrator.migrate(db)
        } catch {
            throw CurationError.store(path: path, reason: "cannot open the run store: \(error)")
        }
    }

    /// The store file of a run directory.
    public static func path(inDirectory dir: String) -> String { (dir as NSString).appendingPathComponent("runs.sqlite") }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recipe TEXT NOT NULL,
                    recipe_hash TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    finished_at REAL,
                    attempts INTEGER NOT NULL DEFAULT 1,
                    error TEXT
                );
                CREATE TABLE stages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    settings TEXT NOT NULL,
                    output_directory TEXT NOT NULL,
                    output_manifest TEXT,
                    output_hash TEXT,
                    records_in INTEGER,
                    records_out INTEGER,
                    dropped TEXT,
                    started_at REAL,
                    finished_at REAL,
                    seconds REAL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    reused_from_run INTEGER,
                    error TEXT,
                    UNIQUE(run_id, name)
                );
                CREATE INDEX stages_by_fingerprint ON stages(name, fingerprint, status);
                CREATE TABLE stage_inputs (
                    stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    files TEXT NOT NULL,
                    PRIMARY KEY(stage_id, position)
                );
                """)
        }
        m.registerMigration("v2-tool-build") { db in
            // Which tool made each run and each stage's outputs (the build that produced a skipped
            // stage's outputs is carried over from the stage it reused).
            try db.execute(sql: """
                ALTER TABLE runs ADD COLUMN tool_version TEXT;
                ALTER TABLE runs ADD COLUMN tool_build TEXT;
                ALTER TABLE stages ADD COLUMN tool_build TEXT;
                """)
        }
        m.registerMigration("v3-labs") { db in
            // Ablation labs run in this store: each full run's lab-file hash and claim verdicts, so a
            // report lists the earlier runs of the same lab made with other settings.
            try db.execute(sql: """
                CREATE TABLE lab_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    lab TEXT NOT NULL,
                    lab_hash TEXT NOT NULL,
                    quick INTEGER NOT NULL,
                    seeds TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    finished_at REAL,
                    verdicts TEXT
                );
                """)
        }
        return m
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.read(body) } catch let e as RunStoreError { throw e } catch {
            throw CurationError.store(path: path, reason: "run store: \(error)")
        }
    }
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.write(body) } catch let e as RunStoreError { throw e } catch {
            throw CurationError.store(path: path, reason: "run store: \(error)")
        }
    }

    // MARK: - Runs

    /// Starts a run of `recipe`, or resumes the latest run of the same recipe file and bytes that never
    /// finished (its process was killed). Returns the run and whether it was resumed. Stages that were
    /// running in a resumed run become `interrupted`.
    public func beginRun(recipe: String, recipeHash: String, tool: ToolBuild? = nil) throws -> (run: RunRecord, resumed: Bool) {
        try write { db in
            let now = Date().timeIntervalSince1970
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE recipe = ? ORDER BY id DESC LIMIT 1", arguments: [recipe]),
               row["status"] as String == RunRecord.Status.running.rawValue, row["recipe_hash"] as String == recipeHash {
                let id: Int64 = row["id"]
                try db.execute(sql: "UPDATE runs SET attempts = attempts + 1, tool_version = COALESCE(?, tool_version), tool_build = COALESCE(?, tool_build) WHERE id = ?",
                               arguments: [tool?.version, tool?.build, id])
                try db.execute(sql: "UPDATE stages SET status = 'interrupted' WHERE run_id = ? AND status = 'running'", arguments: [id])
                return (try RunStore.runRecord(try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id])!), true)
            }
            // An older unfinished run of a changed recipe will not be resumed: close it.
            try db.execute(sql: "UPDATE runs SET status = 'failed', error = 'superseded by a later run', finished_at = ? WHERE recipe = ? AND status = 'running'",
                           arguments: [now, recipe])
            try db.execute(sql: "INSERT INTO runs (recipe, recipe_hash, status, started_at, tool_version, tool_build) VALUES (?, ?, 'running', ?, ?, ?)",
                           arguments: [recipe, recipeHash, now, tool?.version, tool?.build])
            let id = db.lastInsertedRowID
            return (try RunStore.runRecord(try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id])!), false)
        }
    }

    public func finishRun(_ id: Int64, status: RunRecord.Status, error: String? = nil) throws {
        try write { db in
            try db.execute(sql: "UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?",
                           arguments: [status.rawValue, Date().timeIntervalSince1970, error, id])
        }
    }

    public func runs() throws -> [RunRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id").map(RunStore.runRecord) }
    }

    public func run(_ id: Int64) throws -> RunRecord {
        try read { db in try RunStore.run(id, db) }
    }

    /// The queries both this store and the read-only `RunStoreReader` answer.
    static func run(_ id: Int64, _ db: Database) throws -> RunRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]) else { throw RunStoreError.noSuchRun(id) }
        return try runRecord(row)
    }

    static func stages(run: Int64, _ db: Database) throws -> [StageRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM stages WHERE run_id = ? ORDER BY position", arguments: [run]).map { try stageRecord($0, db) }
    }

    // MARK: - Stages

    public func stages(run: Int64) throws -> [StageRecord] {
        try read { db in try RunStore.stages(run: run, db) }
    }

    public func stage(run: Int64, name: String) throws -> StageRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM stages WHERE run_id = ? AND name = ?", arguments: [run, name]).map { try RunStore.stageRecord($0, db) }
        }
    }

    /// The latest stage, in any run, that finished (done) with this name and fingerprint: the candidate
    /// whose outputs a re-run may reuse after verifying them.
    public func lastDone(name: String, fingerprint: String) throws -> StageRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM stages WHERE name = ? AND fingerprint = ? AND status = 'done' ORDER BY id DESC LIMIT 1",
                             arguments: [name, fingerprint]).map { try RunStore.stageRecord($0, db) }
        }
    }

    /// The latest finished stage of any name with this fingerprint that wrote to `outputDirectory`: how
    /// runs with content-addressed stage directories (`run --shared-stages`) find a stage another run,
    /// under another name or recipe, already computed.
    public func lastDone(fingerprint: String, outputDirectory: String) throws -> StageRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM stages WHERE fingerprint = ? AND output_directory = ? AND status = 'done' ORDER BY id DESC LIMIT 1",
                             arguments: [fingerprint, outputDirectory]).map { try RunStore.stageRecord($0, db) }
        }
    }

    /// Records a stage as running (a new row, or the run's existing row on a resume: one more attempt).
    @discardableResult
    public func startStage(run: Int64, name: String, kind: String, position: Int, fingerprint: String, settings: String,
                           inputs: [StageRecord.Input], outputDirectory: String, toolBuild: String? = nil) throws -> StageRecord {
        try write { db in
            let now = Date().timeIntervalSince1970
            try db.execute(sql: """
                INSERT INTO stages (run_id, name, kind, position, status, fingerprint, settings, output_directory, started_at, attempts, tool_build)
                VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, 1, ?)
                ON CONFLICT(run_id, name) DO UPDATE SET kind = excluded.kind, position = excluded.position, status = 'running',
                    fingerprint = excluded.fingerprint, settings = excluded.settings, output_directory = excluded.output_directory,
                    started_at = excluded.started_at, finished_at = NULL, seconds = NULL, error = NULL, output_manifest = NULL,
                    output_hash = NULL, records_in = NULL, records_out = NULL, dropped = NULL, reused_from_run = NULL,
                    attempts = stages.attempts + 1, tool_build = excluded.tool_build
                """, arguments: [run, name, kind, position, fingerprint, settings, outputDirectory, now, toolBuild])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM stages WHERE run_id = ? AND name = ?", arguments: [run, name]) else {
                throw RunStoreError.noSuchStage(run: run, name: name)
            }
            let id: Int64 = row["id"]
            try db.execute(sql: "DELETE FROM stage_inputs WHERE stage_id = ?", arguments: [id])
            for (i, input) in inputs.enumerated() {
                try db.execute(sql: "INSERT INTO stage_inputs (stage_id, position, name, kind, content_hash, files) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [id, i, input.name, input.kind, input.contentHash, RunStore.jsonList(input.files)])
            }
            return try RunStore.stageRecord(row, db)
        }
    }

    /// Records a stage's end: counts, drop reasons, output manifest, status. `ranFrom`: when the stage
    /// ran elsewhere (a cluster's jobs), the times its work started and ended, which replace the times
    /// this process saw.
    public func finishStage(run: Int64, name: String, status: StageRecord.Status, recordsIn: Int? = nil, recordsOut: Int? = nil,
                            dropped: [String: Int] = [:], outputManifest: String? = nil, outputHash: String? = nil,
                            reusedFromRun: Int64? = nil, error: String? = nil, ranFrom: (started: Date, finished: Date)? = nil) throws {
        try write { db in
            let now = ranFrom?.finished.timeIntervalSince1970 ?? Date().timeIntervalSince1970
            let started = ranFrom?.started.timeIntervalSince1970
            let droppedJSON = "{" + dropped.keys.sorted().map { "\(RunStore.jsonString($0)):\(dropped[$0] ?? 0)" }.joined(separator: ",") + "}"
            try db.execute(sql: """
                UPDATE stages SET status = ?, records_in = ?, records_out = ?, dropped = ?, output_manifest = ?, output_hash = ?,
                    reused_from_run = ?, error = ?, started_at = COALESCE(?, started_at), finished_at = ?,
                    seconds = ? - COALESCE(?, started_at, ?)
                WHERE run_id = ? AND name = ?
                """, arguments: [status.rawValue, recordsIn, recordsOut, droppedJSON, outputManifest, outputHash, reusedFromRun, error,
                                 started, now, now, started, now, run, name])
            if db.changesCount == 0 { throw RunStoreError.noSuchStage(run: run, name: name) }
        }
    }

    // MARK: - Rows

    static func runRecord(_ row: Row) throws -> RunRecord {
        RunRecord(id: row["id"], recipe: row["recipe"], recipeHash: row["recipe_hash"],
                  status: RunRecord.Status(rawValue: row["status"]) ?? .failed,
                  startedAt: Date(timeIntervalSince1970: row["started_at"]),
                  finishedAt: (row["finished_at"] as Double?).map { Date(timeIntervalSince1970: $0) },
                  attempts: row["attempts"], error: row["error"], toolVersion: row["tool_version"], toolBuild: row["tool_build"])
    }

    static func stageRecord(_ row: Row, _ db: Database) throws -> StageRecord {
        let id: Int64 = row["id"]
        let inputs = try Row.fetchAll(db, sql: "SELECT * FROM stage_inputs WHERE stage_id = ? ORDER BY position", arguments: [id]).map {
            StageRecord.Input(name: $0["name"], kind: $0["kind"], contentHash: $0["content_hash"], files: parseList($0["files"]))
        }
        return StageRecord(
            id: id, runID: row["run_id"], name: row["name"], kind: row["kind"], position: row["position"],
            status: StageRecord.Status(rawValue: row["status"]) ?? .failed, fingerprint: row["fingerprint"], settings: row["settings"],
            inputs: inputs, outputDirectory: row["output_directory"], outputManifest: row["output_manifest"], outputHash: row["output_hash"],
            recordsIn: row["records_in"], recordsOut: row["records_out"], dropped: row["dropped"],
            startedAt: (row["started_at"] as Double?).map { Date(timeIntervalSince1970: $0) },
            finishedAt: (row["finished_at"] as Double?).map { Date(timeIntervalSince1970: $0) },
            seconds: row["seconds"], attempts: row["attempts"], reusedFromRun: row["reused_from_run"], error: row["error"],
            toolBuild: row["tool_build"])
    }

    static func jsonString(_ s: String) -> String {
        var b: [UInt8] = []
        JSONWriter.writeString(s, into: &b)
        return String(decoding: b, as: UTF8.self)
    }
    static func jsonList(_ items: [String]) -> String { "[" + items.map(jsonString).joined(separator: ",") + "]" }
    static func parseList(_ text: String) -> [String] {
        (try? JSONParser.parse(text))?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// Drop reasons stored as JSON text, decoded.
    public static func droppedCounts(_ text: String?) -> [(String, Int)] {
        guard let text, let o = (try? JSONParser.parse(text))?.objectValue else { return [] }
        return o.entries.map { ($0.key, $0.value.intValue ?? 0) }
    }
}

/// An exclusive lock on a run store (`flock` on `STORE.lock`), so two processes never run recipes
/// on the same outputs at once. Released when the process ends, even when it is killed.
public final class RunStoreLock {
    private let fd: Int32
    public init(storePath: String) throws {
        let p = storePath + ".lock"
        fd = open(p, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw CurationError.io(path: p, reason: "cannot open lock file: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw RunStoreError.busy(path: storePath)
        }
    }
    deinit { flock(fd, LOCK_UN); close(fd) }
}
