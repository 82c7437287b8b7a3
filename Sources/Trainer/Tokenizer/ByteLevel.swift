/// GPT-2's reversible map between bytes and printable Unicode characters.
///
/// Why: byte-level BPE vocabularies store tokens as strings, so each of the 256 byte values is given a
/// visible character (printable Latin-1 bytes map to themselves, the rest to U+0100 and up, e.g. the
/// space becomes "Ġ"). Vocabulary and merge strings are in this alphabet; text bytes are mapped into it
/// before lookup and back when decoding.
public enum ByteLevel {
    /// The character standing for each byte value.
    public static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
            let value = printable ? UInt32(b) : { defer { next += 1 }; return next }()
            table[b] = Unicode.Scalar(value) ?? " "  // values stay below 0x144: always valid scalars
        }
        return table
    }()

    /// Inverse of `byteToScalar`, indexed by scalar value (below 324); -1 where a scalar stands for no byte.
    public static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (b, s) in byteToScalar.enumerated() { table[Int(s.value)] = Int16(b) }
        return table
    }()

    /// The byte a scalar stands for, if any.
    @inline(__always) public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = Int(scalar.value)
        guard v < scalarToByte.count else { return nil }
        let b = scalarToByte[v]
        return b < 0 ? nil : UInt8(b)
    }

    /// The byte-level string of raw bytes ("Hello world" -> "HelloĠworld").
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(byteToScalar[Int(b)]) }
        return String(s)
    }

    /// The raw bytes of a byte-level string, or nil when a character stands for no byte (a token of a
    /// vocabulary that is not byte-level).
    public static func decode(_ token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for s in token.unicodeScalars {
            guard let b = byte(for: s) else { return nil }
            out.append(b)
        }
        return out
    }
}
