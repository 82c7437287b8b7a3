import Foundation
import GRDB

/// The run store opened read-only (SQLite's `SQLITE_OPEN_READONLY`): for a process that follows a run
/// another process is writing (`runs watch`). It never migrates, never creates the file and never takes
/// the store's writer lock (`RunStoreLock`), so watching a run, as often as it likes, can neither block
/// nor change it; its reads wait out the writer's short transactions (busy timeout) like any reader's.
/// Rows are decoded exactly as `RunStore` decodes them.
public final class RunStoreReader {
    public let path: String
    private let db: DatabaseQueue

    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw CurationError.store(path: path, reason: "no run store here") }
        do {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(10)
            db = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw CurationError.store(path: path, reason: "cannot open the run store read-only: \(error)")
        }
        // A store an older tool wrote lacks columns the rows below read; a writer (any `run` or `runs show`) upgrades it.
        let current: Bool
        do { current = try db.read { try RunStore.migrator.hasCompletedMigrations($0) } } catch {
            throw CurationError.store(path: path, reason: "cannot read the run store: \(error)")
        }
        guard current else {
            throw CurationError.store(path: path, reason: "written by an older curate-tool: `curate-tool runs show ID` upgrades it, then watch again")
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.read(body) } catch let e as RunStoreError { throw e } catch {
            throw CurationError.store(path: path, reason: "run store: \(error)")
        }
    }

    public func run(_ id: Int64) throws -> RunRecord {
        try read { db in try RunStore.run(id, db) }
    }

    public func stages(run: Int64) throws -> [StageRecord] {
        try read { db in try RunStore.stages(run: run, db) }
    }

    /// The ids of the runs in the store, ascending (for an error that names the runs there are).
    public func runIDs() throws -> [Int64] {
        try read { db in try Int64.fetchAll(db, sql: "SELECT id FROM runs ORDER BY id") }
    }
}
