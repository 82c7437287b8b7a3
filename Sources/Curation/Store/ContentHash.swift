import Foundation

/// Content hashes of inputs, for the run store: a stage is redone when any input's bytes change,
/// whatever the files' names or times say.
public enum ContentHash {
    /// XXH3-128 over each file's length and bytes, in the order given.
    public static func files(_ paths: [String]) throws -> String {
        let h = XXH128Stream()
        let chunk = 1 << 20
        let buf = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buf.deallocate() }
        for p in paths {
            let fd = open(p, O_RDONLY)
            guard fd >= 0 else { throw CurationError.io(path: p, reason: "cannot open: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            var total = 0
            while true {
                let n = read(fd, buf, chunk)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CurationError.io(path: p, reason: "read failed: \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                h.update(UnsafeRawBufferPointer(start: buf, count: n))
                total += n
            }
            var len = UInt64(total).littleEndian
            withUnsafeBytes(of: &len) { h.update($0) }
        }
        return h.hexDigest()
    }

    /// XXH3-128 of some bytes (a manifest, a settings document).
    public static func bytes(_ b: [UInt8]) -> String { XXH3.hash128Hex(b) }
}
