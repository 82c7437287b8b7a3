/// Settings that change verdicts, named after the math-verify options their users know.
///
/// The defaults match math-verify's (`float_rounding=6`, `strict=True`, `allow_set_relation_comp=False`),
/// so a verdict means the same thing in both tools unless a caller asks otherwise.
public struct AnswerOptions: Sendable, Hashable, Codable {
    /// Decimal places to which a written decimal is compared with an exact value (`0.0833333` against
    /// `\frac{1}{12}` at 6). Applies only when the decimal is written to at least this many places: a
    /// decimal stopped short (`0.33`) is an approximation, not the answer. nil: exact comparison only.
    public var floatRounding: Int?
    /// Whether a gold answer given as a set or interval (`x \in [-2,7]`, `[-2,7]`) may match a candidate
    /// written as a relation (`-2 \le x \le 7`). A gold relation always matches the set it describes.
    public var allowSetRelation: Bool
    /// Strict: the gold's form is kept (a tuple is ordered, a bare list is not a tuple, variable names
    /// matter). Not strict: a tuple may match a set of the same values, and expressions that differ only by
    /// a renaming of their variables (`f(x)` and `f(y)`) match.
    public var strict: Bool

    public init(floatRounding: Int? = 6, allowSetRelation: Bool = false, strict: Bool = true) {
        self.floatRounding = floatRounding.map { max(0, min($0, 15)) }
        self.allowSetRelation = allowSetRelation
        self.strict = strict
    }

    public static let `default` = AnswerOptions()

    /// The settings as report JSON.
    public var json: [String: JSONValue] {
        ["float_rounding": floatRounding.map { .int($0) } ?? .null, "allow_set_relation": .bool(allowSetRelation), "strict": .bool(strict)]
    }
}
