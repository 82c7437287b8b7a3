import CXXHash

/// XXH3 hashes from libxxhash: 64-bit for n-grams and sampling keys, 128-bit for content hashes.
public enum XXH3 {
    @inline(__always)
    public static func hash64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        seed == 0 ? XXH3_64bits(bytes.baseAddress, bytes.count) : XXH3_64bits_withSeed(bytes.baseAddress, bytes.count, seed)
    }
    public static func hash64(_ s: String, seed: UInt64 = 0) -> UInt64 {
        var s = s
        return s.withUTF8 { hash64(UnsafeRawBufferPointer($0), seed: seed) }
    }
    public static func hash64(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash64($0, seed: seed) }
    }
    public static func hash128Hex(_ bytes: [UInt8]) -> String {
        let h = XXH128Stream(); h.update(bytes); return h.hexDigest()
    }
}

/// Streaming XXH3-128, rendered as xxhsum's canonical big-endian hex (`xxh128sum` prints the same).
public struct XXH128Stream {
    private final class State {
        let p: OpaquePointer
        init() { p = XXH3_createState(); XXH3_128bits_reset(p) }
        deinit { XXH3_freeState(p) }
    }
    private let state = State()
    public init() {}

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        XXH3_128bits_update(state.p, bytes.baseAddress, bytes.count)
    }
    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    public func hexDigest() -> String {
        let h = XXH3_128bits_digest(state.p)
        return hex(h.high64) + hex(h.low64)
    }
    private func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
