import Foundation

/// The levels each codec takes. One rule for the CLI's `--level`, recipe `level:` settings and
/// `ShardedWriter`, because a level outside the range used to be clamped silently by gzip and
/// refused only when a recipe stage started writing (issue 13, item 19).
extension Compression {
    /// The valid levels, nil when the codec has none (`none` ignores the level).
    public var levels: ClosedRange<Int>? {
        switch self {
        case .zstd: return 1...22
        case .gzip: return 1...9
        case .none: return nil
        }
    }

    /// Why `level` cannot be used with this codec, or nil when it can.
    public func levelProblem(_ level: Int) -> String? {
        guard let levels, !levels.contains(level) else { return nil }
        return "level \(level) is out of range for \(rawValue) (\(levels.lowerBound) to \(levels.upperBound))"
    }
}
