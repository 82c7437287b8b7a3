import Foundation

/// The range every amount must lie in. Checked where a recipe is read (with file:line) and again when
/// a mix runs (a recipe built in code), because out-of-range values used to overflow the integer
/// conversions in `Selection` (`repeat: 1e19` gave an empty mix with exit 0) or plan terabytes.
extension Amount {
    /// The largest `repeat`: far above any sensible up-sampling, and small enough that copies per
    /// record stay exact integers.
    public static let maxRepeat = 1_000_000.0
    /// The largest `count`, `tokens` or `total_tokens` (what `YAMLDocument.integer` accepts): whole
    /// numbers a Double holds exactly.
    public static let maxWhole = YAMLDocument.maxWholeNumber

    /// Why this amount cannot be used, or nil when it can.
    public var rangeProblem: String? {
        switch self {
        case .fraction(let v), .share(let v):
            guard v.isFinite, v >= 0, v <= 1 else { return "\(unit) should be between 0 and 1, found \(v)" }
        case .repeats(let v):
            guard v.isFinite, v >= 0 else { return "repeat should be a finite number of 0 or more, found \(v)" }
            guard v <= Amount.maxRepeat else { return "repeat \(v) is too large (at most \(Int(Amount.maxRepeat)))" }
        case .count(let n), .tokens(let n):
            guard n >= 0, n <= Amount.maxWhole else { return "\(unit) \(n) is out of range (0 to \(Amount.maxWhole))" }
        }
        return nil
    }
}
