import Curation
import Foundation

/// A seeded global shuffle that works beyond memory: records come in with 64-bit keys, and go out
/// sorted by (key, arrival number). Up to `memoryLimit` bytes are kept and sorted in memory; beyond that
/// sorted runs are spilled to a private temporary directory and merged k ways (in several passes when
/// there are more runs than `fanIn`). The output order is the same total order whatever the memory
/// limit, so a tiny limit gives byte-identical output to an in-memory shuffle.
public final class ExternalShuffler {
    public let memoryLimit: Int
    public let tempDirectory: String
    public let fanIn: Int
    /// Runs written so far (statistics for reports and tests).
    public private(set) var runsSpilled = 0
    public private(set) var bytesSpilled = 0
    public private(set) var records = 0

    private struct Entry { var key: UInt64; var seq: UInt64; var offset: Int; var count: Int }
    private var arena: [UInt8] = []
    private var entries: [Entry] = []
    private var runs: [String] = []
    private var nextRun = 0
    private var createdDirectory = false

    /// - Parameters:
    ///   - memoryLimit: bytes of records (plus 32 bytes of bookkeeping each) held before spilling.
    ///   - tempDirectory: created on first spill, removed by `finish` (and by `discard`).
    public init(memoryLimit: Int, tempDirectory: String, fanIn: Int = 64) {
        self.memoryLimit = max(1, memoryLimit)
        self.tempDirectory = tempDirectory
        self.fanIn = max(2, fanIn)
    }

    deinit { discard() }

    /// Adds one record given in up to three pieces (they are concatenated). `seq` orders records of equal
    /// keys (default: the arrival number); a sharded mix passes its global input order.
    public func add(key: UInt64, seq: UInt64? = nil, _ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer = .init(start: nil, count: 0),
                    _ c: UnsafeRawBufferPointer = .init(start: nil, count: 0)) throws {
        let n = a.count + b.count + c.count
        if !entries.isEmpty, arena.count + n + (entries.count + 1) * 32 > memoryLimit { try spill() }
        let off = arena.count
        arena.append(contentsOf: a); arena.append(contentsOf: b); arena.append(contentsOf: c)
        entries.append(Entry(key: key, seq: seq ?? UInt64(records), offset: off, count: n))
        records += 1
    }

    public func add(key: UInt64, _ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try add(key: key, $0) } }

    private func sortEntries() {
        entries.sort { $0.key != $1.key ? $0.key < $1.key : $0.seq < $1.seq }
    }

    private func newRunPath() throws -> String {
        if !createdDirectory {
            do { try FileManager.default.createDirectory(atPath: tempDirectory, withIntermediateDirectories: true) } catch {
                throw CurationError.io(path: tempDirectory, reason: "cannot create the spill directory: \(error.localizedDescription)")
            }
            createdDirectory = true
        }
        defer { nextRun += 1 }
        return (tempDirectory as NSString).appendingPathComponent("run-\(nextRun).bin")
    }

    private var ioBuffer: Int { min(1 << 20, max(1 << 12, memoryLimit / 8)) }

    private func spill() throws {
        sortEntries()
        let w = try RunWriter(path: try newRunPath(), bufferBytes: ioBuffer)
        try arena.withUnsafeBytes { a in
            for e in entries { try w.append(key: e.key, seq: e.seq, UnsafeRawBufferPointer(rebasing: a[e.offset..<(e.offset + e.count)])) }
        }
        try w.close()
        runs.append(w.path)
        runsSpilled += 1
        bytesSpilled += arena.count + entries.count * 20
        arena.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// Hands every record to `body` in shuffled order, then removes the temporary files.
    public func finish(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try finishKeyed { _, _, bytes in try body(bytes) }
    }

    /// `finish` with each record's key and sequence number (a sharded mix writes them into its runs).
    func finishKeyed(_ body: (UInt64, UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        defer { discard() }
        if runs.isEmpty {
            sortEntries()
            try arena.withUnsafeBytes { a in
                for e in entries { try body(e.key, e.seq, UnsafeRawBufferPointer(rebasing: a[e.offset..<(e.offset + e.count)])) }
            }
            arena = []; entries = []
            return
        }
        if !entries.isEmpty { try spill() }
        arena = []; entries = []
        // Merge passes until one pass of at most fanIn runs remains.
        while runs.count > fanIn {
            var merged: [String] = []
            var i = 0
            while i < runs.count {
                let group = Array(runs[i..<min(runs.count, i + fanIn)])
                if group.count == 1 { merged.append(group[0]) } else {
                    let w = try RunWriter(path: try newRunPath(), bufferBytes: ioBuffer)
                    try Self.merge(group, memoryLimit: memoryLimit) { key, seq, bytes in try w.append(key: key, seq: seq, bytes) }
                    try w.close()
                    for p in group { unlink(p) }
                    merged.append(w.path)
                }
                i += fanIn
            }
            runs = merged
        }
        try Self.merge(runs, memoryLimit: memoryLimit, body)
    }

    /// K-way merge of sorted runs by (key, seq), by a binary heap over the readers' current entries.
    static func merge(_ paths: [String], memoryLimit: Int, _ body: (UInt64, UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        let per = max(1 << 12, min(1 << 20, memoryLimit / max(1, paths.count)))
        try merge(readers: try paths.map { try RunReader(path: $0, bufferBytes: per) }, body)
    }

    static func merge(readers all: [RunReader], _ body: (UInt64, UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        try RunMerge.merge(all, body)
    }

    /// Removes the temporary directory and forgets buffered records.
    public func discard() {
        for p in runs { unlink(p) }
        runs = []
        if createdDirectory { try? FileManager.default.removeItem(atPath: tempDirectory); createdDirectory = false }
    }
}
