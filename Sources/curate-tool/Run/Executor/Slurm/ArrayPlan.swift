import Foundation

/// How a stage's N shares become Slurm job arrays.
///
/// Slurm refuses an array index >= MaxArraySize (default 1001), so a stage of more shares is split into
/// several arrays, each indexed from 0. Each array's script exports `CURATE_SHARD_OFFSET` = the share of its
/// index 0, and `--shard env` computes the global share as CURATE_SHARD_OFFSET + SLURM_ARRAY_TASK_ID
/// (40 shares, MaxArraySize 11: arrays of 11, 11, 11, 7 with offsets 0, 11, 22, 33).
///
/// Only the shares still to do may be planned (a resumed stage skips those with completion records): an
/// array then lists its indices (`--array=0-4,7,9-10`) and its offset is its first share.
///
/// `maxParallel` (`%K` in `--array=0-10%K`) limits the running tasks of *one array*: Slurm has no limit
/// across arrays, so a stage split into k arrays submitted side by side can run up to k*K tasks at once.
/// An executor that needs a global cap divides it between the arrays (`perArrayLimit`) or chains them.
public struct ArrayPlan: Sendable, Equatable {
    /// One job array.
    public struct Chunk: Sendable, Equatable {
        /// The share at array index 0 (`CURATE_SHARD_OFFSET`).
        public var offset: Int
        /// The array indices to run, ascending; share = offset + index.
        public var indices: [Int]
        /// The shares this array runs.
        public var shares: [Int] { indices.map { offset + $0 } }
        public var count: Int { indices.count }

        /// The `--array` value: runs of consecutive indices as `a-b`, then `%K` when limited.
        public func arraySpec(maxParallel: Int?) -> String {
            var parts: [String] = []
            var i = 0
            while i < indices.count {
                var j = i
                while j + 1 < indices.count && indices[j + 1] == indices[j] + 1 { j += 1 }
                parts.append(i == j ? "\(indices[i])" : "\(indices[i])-\(indices[j])")
                i = j + 1
            }
            let spec = parts.joined(separator: ",")
            if let k = maxParallel { return spec + "%\(k)" }
            return spec
        }
    }

    /// The stage's share count (`CURATE_SHARD_COUNT`).
    public var shareCount: Int
    public var maxArraySize: Int
    public var maxParallel: Int?
    public var chunks: [Chunk]

    /// All N shares.
    public init(tasks: Int, maxArraySize: Int, maxParallel: Int? = nil) throws {
        guard tasks >= 1 else { throw SlurmError.invalidArgument("a Slurm stage needs at least one task, got \(tasks)") }
        try self.init(shares: Array(0..<tasks), shareCount: tasks, maxArraySize: maxArraySize, maxParallel: maxParallel)
    }

    /// Only `shares` of `shareCount` (duplicates ignored).
    public init(shares: [Int], shareCount: Int, maxArraySize: Int, maxParallel: Int? = nil) throws {
        guard shareCount >= 1 else { throw SlurmError.invalidArgument("a Slurm stage needs at least one share, got \(shareCount)") }
        guard maxArraySize >= 1 else { throw SlurmError.invalidArgument("MaxArraySize must be at least 1, got \(maxArraySize)") }
        if let k = maxParallel, k < 1 { throw SlurmError.invalidArgument("the array task limit (%K) must be at least 1, got \(k)") }
        let sorted = Array(Set(shares)).sorted()
        if let bad = sorted.first(where: { !(0..<shareCount).contains($0) }) {
            throw SlurmError.invalidArgument("share \(bad) is outside 0..<\(shareCount)")
        }
        var chunks: [Chunk] = []
        var i = 0
        while i < sorted.count {
            let offset = sorted[i]
            var indices: [Int] = []
            // Indices must stay below MaxArraySize.
            while i < sorted.count && sorted[i] - offset < maxArraySize {
                indices.append(sorted[i] - offset)
                i += 1
            }
            chunks.append(Chunk(offset: offset, indices: indices))
        }
        self.shareCount = shareCount
        self.maxArraySize = maxArraySize
        self.maxParallel = maxParallel
        self.chunks = chunks
    }

    /// Every share planned, in order.
    public var shares: [Int] { chunks.flatMap(\.shares) }

    /// A global limit on running tasks divided between `arrays` arrays submitted together (at least 1 each),
    /// so that together they run at most max(limit, arrays) tasks.
    public static func perArrayLimit(_ limit: Int, arrays: Int) -> Int {
        guard arrays > 1 else { return max(1, limit) }
        return max(1, limit / arrays)
    }
}
