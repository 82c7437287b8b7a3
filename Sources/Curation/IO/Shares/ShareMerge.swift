import Foundation

/// Joins the shares of a sharded stage into the output one machine would have written: each output
/// prefix's manifest lists the shares' shards in share order (no record is copied), side files are
/// concatenated in share order, and only then are the `PREFIX.incomplete` markers removed, so a
/// reader sees the stage's output complete or not at all.
public enum ShareMerge {
    /// Merges `records` (all N shares, in order, from `ShareRecord.loadAll`) in `directory`. The caller
    /// writes the merged report first (its merge is stage-specific). Returns the merged manifests. A
    /// prefix naming a sub-directory (`prompts/part`, see `ShareRecord.location`) is merged in it.
    @discardableResult
    public static func merge(directory: String, records: [ShareRecord]) throws -> [Manifest] {
        guard let first = records.first else { throw CurationError.io(path: directory, reason: "no shares to merge") }
        for (k, r) in records.enumerated() where r.share.index != k || r.share.count != records.count {
            throw CurationError.io(path: directory, reason: "share records out of order (share \(r.share.index) of \(r.share.count) at position \(k))")
        }
        let prefixes = first.manifests.map(\.prefix)
        var merged: [(manifest: Manifest, directory: String)] = []
        for (p, prefix) in prefixes.enumerated() {
            let place = ShareRecord.location(prefix: prefix, directory: directory)
            var shards: [Manifest.Shard] = []
            var format: OutputFormat?
            var compression: Compression?
            var codec: ParquetWriteOptions.Codec?
            for r in records {
                guard p < r.manifests.count, r.manifests[p].prefix == prefix else {
                    throw CurationError.io(path: ShareRecord.path(directory: directory, share: r.share), reason: "has no output \"\(prefix)\" (share 0 has)")
                }
                let m = r.manifests[p]
                // Empty shares wrote no shard: they cannot disagree about the format.
                if !m.shards.isEmpty {
                    if let f = format, f != m.format || compression != m.compression {
                        throw CurationError.io(path: directory, reason: "shares of \"\(prefix)\" were written in different formats (re-run them with the same options)")
                    }
                    format = m.format; compression = m.compression; codec = m.parquetCodec
                }
                for s in m.shards {
                    let path = (place.directory as NSString).appendingPathComponent(s.file)
                    guard let size = fileSize(path) else {
                        throw CurationError.io(path: path, reason: "shard listed by share \(r.share.index) of \(r.share.count) is missing")
                    }
                    guard size == s.compressedBytes || m.format == .parquet && s.compressedBytes == 0 else {
                        throw CurationError.io(path: path, reason: "\(size) bytes on disk, share \(r.share.index) of \(r.share.count) recorded \(s.compressedBytes)")
                    }
                    shards.append(s)
                }
            }
            var m = Manifest(prefix: place.prefix, compression: compression ?? first.manifests[p].compression, shards: shards)
            m.format = format ?? first.manifests[p].format
            m.parquetCodec = codec ?? first.manifests[p].parquetCodec
            merged.append((m, place.directory))
        }
        // Side files: the concatenation of the shares' pieces, written whole before any manifest.
        for side in Set(records.flatMap(\.sideFiles)).sorted() {
            let target = side.hasPrefix("/") ? side : (directory as NSString).appendingPathComponent(side)
            let pieces = records.map { $0.share.name(target) }.filter { fileSize($0) != nil }
            guard !pieces.isEmpty else { continue }
            let writer = try AtomicFileWriter(path: target)
            for piece in pieces { try copy(piece, into: writer) }
            try writer.commit()
        }
        for m in merged { try ShardedOutput.complete(m.manifest, directory: m.directory) }
        return merged.map(\.manifest)
    }

    static func fileSize(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    /// Appends a whole file to `writer` in 1 MiB reads.
    static func copy(_ path: String, into writer: AtomicFileWriter) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CurationError.io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw CurationError.io(path: path, reason: "read failed: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }
}
