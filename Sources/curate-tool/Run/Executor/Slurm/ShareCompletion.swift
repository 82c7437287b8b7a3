import Curation
import Foundation

/// Which shares of a stage are done, read from their completion records on shared storage.
///
/// A task writes its `ShareRecord`, `STAGE_DIR/shares/sIofN.json`, last, after its outputs, so the record's presence means the
/// share finished and its outputs are complete, whatever Slurm says or has forgotten: the executor asks the
/// queue only whether something is still to come, and these files what came of it. Shares without a record
/// after their jobs have left the queue failed, were cancelled, or died with their node, and are the ones
/// to resubmit (ArrayPlan(shares:...)).
public enum ShareCompletion {
    /// The completion record's path for share `index` of `count`.
    public static func recordPath(stageDirectory: String, index: Int, count: Int) throws -> String {
        ShareRecord.path(directory: stageDirectory, share: try ShardSpec(index: index, count: count))
    }

    /// The shares of `count` whose completion record is missing, ascending.
    public static func missing(stageDirectory: String, count: Int) throws -> [Int] {
        guard count >= 1 else { throw SlurmError.invalidArgument("a stage has at least one share, got \(count)") }
        var out: [Int] = []
        for i in 0..<count {
            let path = try recordPath(stageDirectory: stageDirectory, index: i, count: count)
            if !FileManager.default.fileExists(atPath: path) { out.append(i) }
        }
        return out
    }
}
