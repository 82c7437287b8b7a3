import Foundation

/// The structure of a normalised answer: what equivalence compares.
public indirect enum AnswerForm: Sendable, Hashable {
    /// A multiple-choice letter (`B`, `(B)`).
    case choice(UInt8)
    /// A number or an arithmetic expression.
    case number(NumberForm)
    /// An ordered tuple or an interval, with its bracket characters (`(1,2)`, `[0,1)`).
    case sequence(open: UInt8, close: UInt8, items: [AnswerForm])
    /// Values in any order: `\{1,2\}`, `a \pm b`, several boxed answers.
    case set([AnswerForm])
    /// A bare list (`1, 2`, `1; 2`, `1 or 2`): the solutions in any order, or the entries of a tuple gold in
    /// its order (`(1,3)` against `1, 3`); duplicates do not count.
    case list([AnswerForm])
    /// An inequality or a chain of them, or an equation that is not a value (see `RelationForm`).
    case relation(RelationForm)
    /// A matrix's entries, row by row.
    case matrix([[AnswerForm]])
    /// Intervals joined by `\cup`, in any order.
    case union([AnswerForm])
    /// Anything not understood, compared as normalised text.
    case text(String)
}

/// A parsed number or expression with its value(s) precomputed.
public struct NumberForm: Sendable, Hashable {
    public var expression: MathExpr
    /// The value when the expression has no variables.
    public var value: MathValue?
    public var variables: [String]
    /// Values at fixed sample points (`NumericIdentity`), when the expression has variables: two
    /// expressions in the same variables that agree wherever both are defined are taken as equal.
    public var samples: [MathValue?]
    /// Written with a percent sign (`50\%`).
    public var percent: Bool
    /// The most digits written after a decimal point (`0.0833` -> 4): a decimal written to the verdict's
    /// precision (`AnswerOptions.floatRounding`) is compared with exact values at that precision.
    public var decimals: Int = 0
}

/// An answer normalised and parsed once, so that voting can compare many answers cheaply.
public struct ParsedAnswer: Sendable, Hashable {
    /// The text after `AnswerNormalizer`.
    public let normalized: String
    public let form: AnswerForm
    /// A canonical key: answers with the same key are equivalent; equivalent answers usually (not always)
    /// share a key, so grouping by key and then merging groups by `AnswerEquivalence` is exact and fast.
    public let key: String
    /// Some part was an expression past the parser's nesting or size limits (`MathExpr.ParseOutcome.tooDeep`);
    /// that part is compared as text, and verdicts give `too-deep` as their reason.
    public let tooDeep: Bool

    public init(_ text: String) { self.init(text, boxDepth: 0) }

    /// Several boxes inside a box inside a box ...: parts are split at most `maxBoxDepth` levels deep, so
    /// hostile nesting cannot recurse without bound.
    static let maxBoxDepth = 3

    init(_ text: String, boxDepth: Int) {
        // Fast path: a plain integer (most GSM8K and AIME answers) needs no normalisation.
        if let r = ParsedAnswer.plainInteger(text) {
            normalized = r.description
            form = .number(NumberForm(expression: .number(r), value: .exact(r), variables: [], samples: [], percent: false))
            key = "q:" + r.description
            tooDeep = false
            unit = nil
            return
        }
        if text.utf8.count > 12, ParsedAnswer.mentionsBox(text) {
            var t = text
            let parts = t.withUTF8 { AnswerExtractor.boxTexts($0) }
            if parts.count > 1, boxDepth < ParsedAnswer.maxBoxDepth { self = ParsedAnswer(parts: parts, boxDepth: boxDepth + 1); return }
        }
        let n = AnswerNormalizer.normalize(text)
        normalized = n.text
        unit = n.unit
        var tooDeep = false
        form = ParsedAnswer.form(n.text, percent: n.percent, depth: 0, tooDeep: &tooDeep)
        self.tooDeep = tooDeep
        key = ParsedAnswer.key(form)
    }

    /// Several answers given separately (several `\boxed{}`): a set of each one parsed on its own, so that
    /// each keeps its own units and normalisation; repeats count once. One part is that part's answer.
    public init(parts: [String]) { self.init(parts: parts, boxDepth: 1) }

    init(parts: [String], boxDepth: Int) {
        guard parts.count > 1 else { self.init(parts.first ?? "", boxDepth: boxDepth); return }
        let each = parts.map { ParsedAnswer($0, boxDepth: boxDepth) }
        var unique: [ParsedAnswer] = []
        for p in each where !unique.contains(where: { $0.key == p.key }) { unique.append(p) }
        if unique.count == 1, let only = unique.first { self = only; return }
        // `$21, 16$ or $11$`: a part that is itself a bare list adds its items.
        var items: [AnswerForm] = []
        for p in unique {
            if case .list(let xs) = p.form { items.append(contentsOf: xs) } else { items.append(p.form) }
        }
        let f = AnswerForm.set(items)
        self.init(normalized: unique.map(\.normalized).joined(separator: ", "), form: f, key: ParsedAnswer.key(f),
                  tooDeep: unique.contains { $0.tooDeep }, unit: nil)
    }

    private init(normalized: String, form: AnswerForm, key: String, tooDeep: Bool, unit: String?) {
        self.normalized = normalized
        self.form = form
        self.key = key
        self.tooDeep = tooDeep
        self.unit = unit
    }

    /// Another reading some answers have, tried when the main forms disagree: `1000,99` with a decimal
    /// comma (`1000.99`), or `y = 2x + 1` as the equation `y - 2x - 1 = 0` rather than its value.
    public var alternate: AnswerForm? {
        if let e = ParsedAnswer.equationReading(normalized) { return e }
        return ParsedAnswer.decimalCommaReading(normalized)
    }

    /// `1000,99`, `1,22`, `0,111` -> the number with a decimal point; nil for other text, and for a
    /// three-digit group after a non-zero start (`1,000` is a thousands separator).
    static func decimalCommaReading(_ s: String) -> AnswerForm? {
        let u = Array(s.utf8)
        guard u.count <= 24, let comma = u.firstIndex(of: UInt8(ascii: ",")) else { return nil }
        var start = 0
        if u.first == UInt8(ascii: "-") { start = 1 }
        let left = u[start..<comma], right = u[(comma + 1)...]
        guard !left.isEmpty, !right.isEmpty, left.allSatisfy(AnswerExtractor.isDigit), right.allSatisfy(AnswerExtractor.isDigit) else { return nil }
        guard right.count != 3 || (left.count == 1 && left.first == UInt8(ascii: "0")) else { return nil }
        let text = String(decoding: u[0..<comma], as: UTF8.self) + "." + String(decoding: right, as: UTF8.self)
        guard let r = Rational(decimal: Substring(text)) else { return nil }
        return .number(NumberForm(expression: .number(r), value: .exact(r), variables: [], samples: [], percent: false, decimals: right.count))
    }

    /// `y = -\frac{1}{2}x + \frac{3}{4}` as an equation (its main form is the value after the name).
    static func equationReading(_ s: String) -> AnswerForm? {
        let b = Array(s.utf8)
        guard b.contains(UInt8(ascii: "=")) else { return nil }
        let sides = splitTopLevel(b, separator: "=")
        guard sides.count == 2, let r = RelationForm.equation(sides[0], sides[1]) else { return nil }
        return .relation(r)
    }

    /// The unit word the answer named (`cm` in `5\text{ cm}`), lowercased; nil when none was written.
    /// A gold that names a unit is not matched by an answer naming a different one.
    public let unit: String?

    static let andBytes = Array(" and ".utf8)

    /// Whether `\boxed` occurs, without copying the text (this runs for every answer parsed).
    static func mentionsBox(_ text: String) -> Bool {
        var hit = false
        var k = 0
        let word = AnswerNormalizer.boxed
        for c in text.utf8 {
            if c == word[k] { k += 1; if k == word.count { hit = true; break } } else { k = c == word[0] ? 1 : 0 }
        }
        return hit
    }

    static func plainInteger(_ text: String) -> Rational? {
        let u = text.utf8
        guard !u.isEmpty, u.count <= 18 else { return nil }
        var v = 0, neg = false, first = true
        for c in u {
            if first && c == UInt8(ascii: "-") { neg = true; first = false; continue }
            first = false
            guard AnswerExtractor.isDigit(c) else { return nil }
            v = v * 10 + Int(c - 48)
        }
        if neg && u.count == 1 { return nil }
        return Rational(neg ? -v : v)
    }

    // MARK: - Structure

    static func form(_ raw: String, percent: Bool, depth: Int, tooDeep: inout Bool) -> AnswerForm {
        let s = raw.trimmingWhitespace()
        guard depth < 8, !s.isEmpty else { return .text(s) }
        let b = Array(s.utf8)
        if let c = choice(b) { return .choice(c) }
        if ByteText.contains(MatrixParser.begin, in: b), let m = MatrixParser.form(b, depth: depth, tooDeep: &tooDeep) { return m }

        let unions = splitTopLevel(b, separator: "\\cup")
        if unions.count > 1 { return .union(unions.map { form($0, percent: percent, depth: depth + 1, tooDeep: &tooDeep) }) }

        if s.hasPrefix("\\{") && s.hasSuffix("\\}") && s.count > 4 {
            let inner = String(s.dropFirst(2).dropLast(2))
            let items = splitTopLevel(Array(inner.utf8), separator: ",")
            return .set(items.map { form($0, percent: percent, depth: depth + 1, tooDeep: &tooDeep) })
        }
        if let (open, close, inner) = enclosed(b) {
            var items = splitTopLevel(inner, separator: ",")
            // `(0;-2;6)`: a tuple written with semicolons (a decimal-comma convention).
            if items.count == 1 { items = splitTopLevel(inner, separator: ";") }
            if items.count > 1 {
                return .sequence(open: open, close: close, items: items.map { form($0, percent: percent, depth: depth + 1, tooDeep: &tooDeep) })
            }
        }
        let items = AnswerLists.items(b)
        if items.count > 1 { return .list(items.map { form(AnswerNormalizer.withoutUnits($0), percent: percent, depth: depth + 1, tooDeep: &tooDeep) }) }

        // `x \ge 5`, `-2 \le x \le 7`, `x \ne 3`.
        if let r = RelationForm.parse(b) { return .relation(r) }

        // `x = 5`, `\lambda = 2`, `(x, y) = (3, -1)`, `f(x) = 2x+3`, `AB = 4`, `x \in [2, 5]`: the value after a
        // lone variable, a tuple of variables, a function name or a label.
        var sides = splitTopLevel(b, separator: "=")
        if sides.count == 1 { sides = splitTopLevel(b, separator: "\\in") }
        if sides.count == 2, isNameSide(sides[0].trimmingWhitespace()) {
            return form(sides[1], percent: percent, depth: depth + 1, tooDeep: &tooDeep)
        }
        // `x = 5+5+1 = 11`: a chain of equalities states its result last.
        if sides.count > 2, let last = sides.last, !last.trimmingWhitespace().isEmpty {
            return form(last, percent: percent, depth: depth + 1, tooDeep: &tooDeep)
        }
        // `2x + 4y - 3 = 0`: an equation, compared up to a non-zero factor.
        if sides.count == 2, let r = RelationForm.equation(sides[0], sides[1]) { return .relation(r) }
        // `3 \cdot 7 = 21`: a computation states its result last.
        if sides.count == 2, !sides[1].trimmingWhitespace().isEmpty, MathExpr.parse(sides[0].trimmingWhitespace())?.variables.isEmpty == true {
            return form(sides[1], percent: percent, depth: depth + 1, tooDeep: &tooDeep)
        }
        if sides.count > 1 { return .text(textKey(s)) }

        let pm = splitTopLevel(b, separator: "\\pm")
        if pm.count == 2 {
            let plus = form(pm[0] + "+" + pm[1], percent: percent, depth: depth + 1, tooDeep: &tooDeep)
            let minus = form(pm[0] + "-(" + pm[1] + ")", percent: percent, depth: depth + 1, tooDeep: &tooDeep)
            return .set([plus, minus])
        }

        // A word ("Even", "no solution") is text, not a product of single-letter variables.
        if b.count >= 3, b.allSatisfy({ AnswerExtractor.isLetter($0) || $0 == 0x20 }) { return .text(textKey(s)) }
        switch MathExpr.parseChecked(s) {
        // An expression without a value (`10^{10^{10}}` overflows, `1000!` is past exact factorials) is
        // compared by its structure, so `9^{9^9}` and `9^{9^{9}}` agree and `10^{10^{11}}` differs.
        case .parsed(let e): return number(e, percent: percent, text: s) ?? .text("e:" + String(describing: e))
        case .tooDeep: tooDeep = true
        case .notUnderstood: break
        }
        return .text(textKey(s))
    }

    static func number(_ e: MathExpr, percent: Bool, text: String = "") -> AnswerForm? {
        let vars = e.variables
        let decimals = NumericIdentity.decimalPlaces(text)
        if vars.isEmpty {
            guard let v = e.evaluate() else { return nil }
            return .number(NumberForm(expression: e, value: v, variables: [], samples: [], percent: percent, decimals: decimals))
        }
        guard vars.count <= 8, let samples = NumericIdentity.samples(e, variables: vars) else { return nil }
        return .number(NumberForm(expression: e, value: nil, variables: vars, samples: samples, percent: percent, decimals: decimals))
    }

    /// `B`, `(B)`, `B)`, `(B) text`, `B. Because ...`: a capital A-J alone.
    static func choice(_ b: [UInt8]) -> UInt8? {
        func isChoice(_ c: UInt8) -> Bool { c >= UInt8(ascii: "A") && c <= UInt8(ascii: "J") }
        if b.count == 1, isChoice(b[0]) { return b[0] }
        if b.count == 2, isChoice(b[0]), b[1] == UInt8(ascii: ")") || b[1] == UInt8(ascii: ".") { return b[0] }
        // `A. Because ...`, `B: the only one`: a letter, a period or colon, then words.
        if b.count >= 4, isChoice(b[0]), b[1] == UInt8(ascii: ".") || b[1] == UInt8(ascii: ":") || b[1] == UInt8(ascii: ")"), b[2] == 0x20,
           AnswerExtractor.isLetter(b[3]) { return b[0] }
        if b.count >= 3, b[0] == UInt8(ascii: "("), isChoice(b[1]), b[2] == UInt8(ascii: ")") {
            if b.count == 3 || b[3] == 0x20 { return b[1] }
        }
        return nil
    }

    /// A label naming what a value is (`AB = 4`, `\angle ABC = 30`): capitals only, so that `ab = 4` (a
    /// product) stays an equation.
    static func isLabel(_ s: String) -> Bool {
        // `\frac{NO}{BO}`, `|AB|`, `A:B`, `V_1:V_2`: labels combined, with no number in them.
        let hasSubscript = s.utf8.contains(UInt8(ascii: "_"))
        if s.utf8.contains(where: { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "\\") }),
           hasSubscript || !s.utf8.contains(where: AnswerExtractor.isDigit) {
            var letters = 0, ok = true
            var k = s.startIndex
            while k < s.endIndex {
                let c = s[k]
                if c == "\\" {
                    var e = s.index(after: k)
                    while e < s.endIndex, s[e].isLetter { e = s.index(after: e) }
                    if !["\\frac", "\\overline", "\\angle", "\\triangle"].contains(String(s[k..<e])) { ok = false; break }
                    k = e
                    continue
                }
                if c.isUppercase && c.isASCII { letters += 1 } else if !"{}|: _0123456789".contains(c) { ok = false; break }
                k = s.index(after: k)
            }
            if ok && letters > 0 { return true }
        }
        var t = Substring(s)
        for p in ["m\\angle", "\\angle", "\\overline"] where t.hasPrefix(p) { t = t.dropFirst(p.count) }
        t = t.drop { $0 == " " || $0 == "{" }
        while t.last == "}" { t = t.dropLast() }
        return (1...4).contains(t.count) && t.allSatisfy { $0.isASCII && $0.isUppercase }
    }

    static func isVariableName(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard !b.isEmpty else { return false }
        if b.count == 1 { return AnswerExtractor.isLetter(b[0]) }
        if b[0] == UInt8(ascii: "\\") {
            let name = s.dropFirst().prefix { $0.isLetter }
            return ExprParser.greek.contains(String(name)) && (name.count + 1 == b.count || s.dropFirst(name.count + 1).hasPrefix("_"))
        }
        return AnswerExtractor.isLetter(b[0]) && b[1] == UInt8(ascii: "_") && b.count <= 6
    }

    /// What may stand left of `=` when the right side is the answer: a variable, a tuple of variables,
    /// or a function applied to variables (`f(x)`).
    static func isNameSide(_ s: String) -> Bool {
        if isVariableName(s) || isLabel(s) { return true }
        let b = Array(s.utf8)
        if let (_, _, inner) = enclosed(b) {
            return splitTopLevel(inner, separator: ",").allSatisfy { isVariableName($0.trimmingWhitespace()) }
        }
        if b.count >= 4, AnswerExtractor.isLetter(b[0]), b[1] == UInt8(ascii: "("), b.last == UInt8(ascii: ")") {
            return splitTopLevel(Array(b[2..<(b.count - 1)]), separator: ",").allSatisfy { isVariableName($0.trimmingWhitespace()) }
        }
        return false
    }

    /// `(inner)` / `[inner)` etc. when the opening bracket closes only at the very end.
    static func enclosed(_ b: [UInt8]) -> (UInt8, UInt8, [UInt8])? {
        guard b.count >= 2, let f = b.first, let l = b.last,
              f == UInt8(ascii: "(") || f == UInt8(ascii: "["), l == UInt8(ascii: ")") || l == UInt8(ascii: "]") else { return nil }
        var depth = 0
        for (k, c) in b.enumerated() {
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 }
            if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 && k != b.count - 1 { return nil }
            }
        }
        return depth == 0 ? (f, l, Array(b[1..<(b.count - 1)])) : nil
    }

    /// Splits on `separator` outside brackets. Interval brackets may be unbalanced in kind (`[0,1)`), so
    /// depth counts any opener against any closer.
    static func splitTopLevel(_ b: [UInt8], separator: String) -> [String] {
        let sep = Array(separator.utf8)
        var parts: [String] = []
        var depth = 0, start = 0, i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { depth -= 1 } else if c == UInt8(ascii: "\\"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "{") || b[i + 1] == UInt8(ascii: "}") {
                depth += b[i + 1] == UInt8(ascii: "{") ? 1 : -1
                i += 2
                continue
            }
            if depth == 0, c == sep[0], i + sep.count <= b.count, b[i..<(i + sep.count)].elementsEqual(sep),
               !(sep.count > 1 && sep[sep.count - 1] != 0x20 && i + sep.count < b.count && AnswerExtractor.isLetter(b[i + sep.count])) {
                parts.append(String(decoding: b[start..<i], as: UTF8.self))
                i += sep.count
                start = i
                continue
            }
            i += 1
        }
        parts.append(String(decoding: b[start..<b.count], as: UTF8.self))
        return parts
    }

    /// Text compared literally: spaces removed; all-letter words lowercased (`\text{Even}` = `even`).
    static func textKey(_ s: String) -> String {
        let t = s.filter { $0 != " " }
        return t.allSatisfy({ $0.isLetter }) ? t.lowercased() : t
    }

    // MARK: - Keys

    static func key(_ f: AnswerForm) -> String {
        switch f {
        case .choice(let c): return "c:" + String(UnicodeScalar(c))
        case .number(let n):
            // Past 2^53 a double names many integers: the key keeps the expression, and equality is decided
            // exactly (`BigInteger`).
            if let v = n.value, abs(v.double) >= 9.007199254740992e15, v.double.isFinite, case .approx = v { return "n:" + String(describing: n.expression) }
            if let v = n.value { return valueKey(v) }
            return "v:" + n.variables.joined(separator: ",") + ":" + n.samples.map { $0.map(sampleKey) ?? "_" }.joined(separator: ";")
        case .sequence(let o, let c, let items):
            return String(UnicodeScalar(o)) + items.map(key).joined(separator: ",") + String(UnicodeScalar(c))
        case .set(let items), .list(let items): return "{" + Array(Set(items.map(key))).sorted().joined(separator: ",") + "}"
        case .relation(let r): return "r:" + r.comparisons.map { $0.op.rawValue + ":" + $0.variables.joined(separator: ",") + ":" + $0.samples.map { $0.map(sampleKey) ?? "_" }.joined(separator: ";") }.joined(separator: "|")
        case .matrix(let rows): return "m[" + rows.map { $0.map(key).joined(separator: "&") }.joined(separator: "\\\\") + "]"
        case .union(let items): return "U(" + items.map(key).sorted().joined(separator: ",") + ")"
        case .text(let t): return "t:" + t
        }
    }

    /// A sample value in a key: its exact bits (formatting six doubles per answer with `%.12g` was a
    /// measurable part of verify time). Equal keys still mean equal values; near-equal samples are merged
    /// by comparison, as before.
    static func sampleKey(_ v: MathValue) -> String {
        switch v {
        case .exact(let r): return r.description
        case .approx(let d): return String(d.bitPattern, radix: 16)
        }
    }

    static func valueKey(_ v: MathValue) -> String {
        switch v {
        case .exact(let r): return "q:" + r.description
        case .approx(let d):
            // Rationals that happen to be computed approximately share the exact key when they round-trip.
            if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return "q:" + String(Int(d)) }
            return "a:" + String(format: "%.12g", d)
        }
    }
}
