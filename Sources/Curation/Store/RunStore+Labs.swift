import Foundation
import GRDB

/// One run of an ablation lab as the run store keeps it.
public struct LabRunRecord: Sendable, Equatable {
    public var id: Int64
    public var lab: String
    /// The lab file's identity (its bytes and its base recipe's): another hash means other settings.
    public var labHash: String
    public var quick: Bool
    public var seeds: [String]
    /// `running`, `succeeded` or `failed`.
    public var status: String
    public var startedAt: Date
    public var finishedAt: Date?
    /// Claim text -> verdict, once the report is written.
    public var verdicts: [String: String]
}

extension RunStore {
    /// Records the start of a lab run.
    public func beginLabRun(lab: String, labHash: String, quick: Bool, seeds: [UInt64]) throws -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO lab_runs (lab, lab_hash, quick, seeds, status, started_at) VALUES (?, ?, ?, ?, 'running', ?)",
                           arguments: [lab, labHash, quick ? 1 : 0, RunStore.jsonList(seeds.map { String($0) }), Date().timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    /// Records a lab run's end and, when it succeeded, its claims' verdicts.
    public func finishLabRun(_ id: Int64, status: String, verdicts: [String: String]) throws {
        let json = "{" + verdicts.keys.sorted().map { "\(RunStore.jsonString($0)):\(RunStore.jsonString(verdicts[$0] ?? ""))" }.joined(separator: ",") + "}"
        try write { db in
            try db.execute(sql: "UPDATE lab_runs SET status = ?, finished_at = ?, verdicts = ? WHERE id = ?",
                           arguments: [status, Date().timeIntervalSince1970, json, id])
        }
    }

    /// Every run of the lab named `lab`, oldest first.
    public func labRuns(lab: String) throws -> [LabRunRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM lab_runs WHERE lab = ? ORDER BY id", arguments: [lab]).map { row in
                var verdicts: [String: String] = [:]
                if let text: String = row["verdicts"], case .object(let o)? = try? JSONParser.parse(text) {
                    for e in o { verdicts[e.key] = e.value.stringValue ?? "" }
                }
                return LabRunRecord(id: row["id"], lab: row["lab"], labHash: row["lab_hash"], quick: (row["quick"] as Int) != 0,
                                    seeds: RunStore.parseList(row["seeds"]), status: row["status"],
                                    startedAt: Date(timeIntervalSince1970: row["started_at"]),
                                    finishedAt: (row["finished_at"] as Double?).map { Date(timeIntervalSince1970: $0) }, verdicts: verdicts)
            }
        }
    }
}
