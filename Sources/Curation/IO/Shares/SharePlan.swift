import Foundation

/// How a sharded run cuts its inputs into N shares, the same way in every task.
///
/// The inputs are cut into units finer than files where the format allows it: a Parquet file by row
/// group, one of our multi-frame zstd shards by frame (its manifest lists the frames), a plain JSONL
/// file by line-aligned byte ranges; anything else (gzip, a single-frame `.zst` from elsewhere) is one
/// unit. Units keep input order and each share takes a contiguous run of them, balanced by bytes on
/// disk, so the shares' outputs concatenated in share order are the one-machine output in order: what
/// makes `merge` exact for a record-wise stage. Every unit knows its first line number, so a record's
/// `FILE:LINE` location (and the ids derived from it) is the same whichever task reads it.
///
/// Shares are balanced by the bytes of records each unit holds: a Parquet row group's uncompressed
/// size, a frame's decoded size, a plain range's length, a whole compressed file's size on disk times
/// `compressedRatioEstimate`.
///
/// Planning reads only footers, manifests and (for plain JSONL) counts newlines, and is a pure function
/// of the input files and their bytes: N tasks planning independently agree without talking.
public struct SharePlan: Sendable {
    public struct Unit: Sendable, Hashable {
        public var slice: InputSlice
        /// About how many bytes of records it holds (the work it is): what balances the shares.
        public var weight: Int
    }

    /// A compressed file read whole has no listed size: its records are taken to be this many times
    /// its size on disk (zstd and gzip JSONL typically shrink 4-6x). Only balance depends on it.
    public static let compressedRatioEstimate = 4

    /// Every unit of the input, in input order.
    public let units: [Unit]

    /// About this many bytes of plain JSONL per unit: fine enough to balance N <= a few hundred
    /// shares of a large file, coarse enough that planning stays one pass.
    public static let plainUnitBytes = 8 << 20
    /// A plain file is cut into at most this many units (a tiny unit size on a huge file is raised).
    public static let maxUnitsPerFile = 1 << 16

    public init(units: [Unit]) { self.units = units }

    /// Plans `files` (resolved, in input order).
    public static func plan(_ files: [String], options: ReadOptions = ReadOptions(), plainUnitBytes: Int = SharePlan.plainUnitBytes) throws -> SharePlan {
        var units: [Unit] = []
        var frameIndex = FrameIndex()
        for file in files {
            if ParquetInput.isParquet(file) {
                let groups = try ParquetInput.rowGroups(of: file, limits: options.parquetLimits)
                if groups.isEmpty { units.append(Unit(slice: InputSlice(file: file, rowGroups: 0..<0), weight: 0)); continue }
                for (k, g) in groups.enumerated() {
                    units.append(Unit(slice: InputSlice(file: file, rowGroups: k..<(k + 1)), weight: max(1, g.byteSize)))
                }
                continue
            }
            let size = fileSize(file)
            switch Compression.fromExtension(file) {
            case .zstd:
                if let frames = try frameIndex.frames(of: file), frames.count > 1 {
                    var line = 1, offset = 0
                    for f in frames {
                        units.append(Unit(slice: InputSlice(file: file, byteRange: f.offset..<(f.offset + f.compressedBytes), firstLine: line, firstOffset: offset),
                                          weight: max(1, f.bytes)))
                        line += f.records
                        offset += f.bytes
                    }
                } else {
                    units.append(Unit(slice: InputSlice(file: file), weight: size * Self.compressedRatioEstimate))
                }
            case .none:
                // At most `maxUnitsPerFile` units a file, whatever unit size is asked for: planning memory stays bounded.
                let unit = max(1, plainUnitBytes, size / Self.maxUnitsPerFile + 1)
                guard size > unit else { units.append(Unit(slice: InputSlice(file: file), weight: size)); continue }
                let targets = Array(stride(from: unit, to: size, by: unit))
                let cuts = try LineCuts.cuts(path: file, at: targets)
                var start = 0, line = 1
                for cut in cuts + [(offset: size, line: 0)] where cut.offset > start {
                    units.append(Unit(slice: InputSlice(file: file, byteRange: start..<cut.offset, firstLine: line, firstOffset: start),
                                      weight: cut.offset - start))
                    start = cut.offset
                    line = cut.line
                }
                if start == 0 { units.append(Unit(slice: InputSlice(file: file), weight: size)) }
            case .gzip:
                units.append(Unit(slice: InputSlice(file: file), weight: size * Self.compressedRatioEstimate))
            }
        }
        return SharePlan(units: units)
    }

    /// The share each unit belongs to: a unit goes to the share its middle byte falls in, so shares
    /// are contiguous and in order, and as even as the units allow.
    public func owners(count: Int) -> [Int] {
        let total = units.reduce(0) { $0 + $1.weight }
        var out: [Int] = []
        out.reserveCapacity(units.count)
        var before = 0
        for (k, u) in units.enumerated() {
            if total > 0 {
                let middle = Double(before) + Double(u.weight) / 2
                out.append(min(count - 1, Int(middle * Double(count) / Double(total))))
            } else {
                out.append(min(count - 1, k * count / max(1, units.count)))
            }
            before += u.weight
        }
        return out
    }

    /// The units of share `spec.index` of `spec.count`, in order, with adjacent units of one file
    /// joined into one slice.
    public func slices(for spec: ShardSpec) -> [InputSlice] {
        var out: [InputSlice] = []
        for (u, owner) in zip(units, owners(count: spec.count)) where owner == spec.index {
            if let last = out.last, let joined = last.joined(with: u.slice) { out[out.count - 1] = joined } else { out.append(u.slice) }
        }
        return out
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }
}

extension InputSlice {
    /// This slice and `next` as one, when `next` continues it in the same file.
    func joined(with next: InputSlice) -> InputSlice? {
        guard next.file == file else { return nil }
        if let a = rowGroups, let b = next.rowGroups, a.upperBound == b.lowerBound {
            return InputSlice(file: file, rowGroups: a.lowerBound..<b.upperBound)
        }
        if let a = byteRange, let b = next.byteRange, a.upperBound == b.lowerBound {
            return InputSlice(file: file, byteRange: a.lowerBound..<b.upperBound, firstLine: firstLine, firstOffset: firstOffset)
        }
        return nil
    }
}

/// The frames of our zstd shards, from the manifests beside them (read once per directory).
struct FrameIndex {
    private var byDirectory: [String: [String: [Manifest.Frame]]] = [:]

    mutating func frames(of file: String) throws -> [Manifest.Frame]? {
        let dir = (file as NSString).deletingLastPathComponent
        let name = (file as NSString).lastPathComponent
        if byDirectory[dir] == nil {
            var table: [String: [Manifest.Frame]] = [:]
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
            for m in names where m.hasSuffix(".manifest.json") {
                guard let manifest = try? Manifest.load((dir as NSString).appendingPathComponent(m)) else { continue }
                for s in manifest.shards { if let f = s.frames { table[s.file] = f } }
            }
            byDirectory[dir] = table
        }
        guard let frames = byDirectory[dir]?[name] else { return nil }
        // A manifest that does not describe this file's bytes (a file replaced since) is not trusted.
        guard let last = frames.last, last.offset + last.compressedBytes == SharePlan.fileSize(file) else { return nil }
        return frames
    }
}
