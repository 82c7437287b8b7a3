/// IEEE half and bfloat16 conversions done by bit manipulation (portable: no `Float16` type needed).
public enum HalfPrecision {
    /// Half (binary16) bits to Float, including subnormals, infinities and NaN.
    @inline(__always)
    public static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1F)
        let mant = UInt32(h & 0x3FF)
        if exp == 0 {
            if mant == 0 { return Float(bitPattern: sign) }
            // Subnormal: value = mant * 2^-24.
            let v = Float(mant) * 0x1p-24
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | (UInt32(exp + 112) << 23) | (mant << 13))
    }

    /// Float to half bits, round to nearest even (for writing F16 test files).
    public static func floatToHalf(_ f: Float) -> UInt16 {
        let b = f.bitPattern
        let sign = UInt16((b >> 16) & 0x8000)
        let a = f.magnitude
        if a.isNaN { return sign | 0x7E00 }
        if a >= 65520 { return sign | 0x7C00 }
        if a < 0x1p-24 * 0.5 { return sign }
        if a < 0x1p-14 {
            return sign | UInt16((a * 0x1p24).rounded(.toNearestOrEven))
        }
        let e = Int((b >> 23) & 0xFF) - 127
        var m = b & 0x7F_FFFF
        var he = e + 15
        // round mantissa from 23 to 10 bits
        let rem = m & 0x1FFF
        m >>= 13
        if rem > 0x1000 || (rem == 0x1000 && (m & 1) == 1) { m += 1 }
        if m == 0x400 { m = 0; he += 1 }
        if he >= 31 { return sign | 0x7C00 }
        return sign | UInt16(he << 10) | UInt16(m)
    }

    /// bfloat16 bits to Float (the upper half of a Float).
    @inline(__always)
    public static func bf16ToFloat(_ h: UInt16) -> Float { Float(bitPattern: UInt32(h) << 16) }
}
