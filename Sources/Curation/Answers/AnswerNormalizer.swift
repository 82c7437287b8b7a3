/// Rewrites an answer's text into a plain canonical spelling before it is parsed: display wrappers,
/// spacing commands, `\left`/`\right`, `\text{}` and friends, degrees, currency, units and thousands
/// separators go; a percent sign is remembered. Each step removes something that models and gold
/// answers write inconsistently but that never changes the value.
public enum AnswerNormalizer {
    /// The normalised text and whether a percent sign was present.
    public struct Result: Sendable, Hashable {
        public var text: String
        public var percent: Bool
        /// The unit word stripped from the end (`cm`, `miles`), lowercased; nil when none.
        public var unit: String? = nil
    }

    public static func normalize(_ answer: String) -> Result {
        var b = collapseDoubledBackslashes(ByteText.trim(Array(answer.utf8)))
        // A whole boxed answer given as the answer itself: take the box's content.
        if ByteText.contains(boxed, in: b) || ByteText.contains(fbox, in: b) {
            let s = String(decoding: b, as: UTF8.self)
            if let inner = AnswerExtractor.extract(s, dataset: .math), inner.rule == .boxed { b = Array(inner.text.utf8) }
        }
        b = dollarTable.apply(b)
        b = stripDelimiters(b)
        b.removeAll { $0 == UInt8(ascii: "$") }
        b = replacementTable.apply(b)
        if b.contains(UInt8(ascii: "\\")) {
            for cmd in unwrapCommandBytes where ByteText.contains(cmd, in: b) { b = unwrap(b, command: cmd) }
        }
        b = lateTable.apply(b)
        var percent = false
        if b.contains(UInt8(ascii: "%")) {
            percent = true
            b = percentTable.apply(b)
        }
        // "2\sqrt{2} \approx 2.83": the exact value before the approximation is the answer.
        // `x \approx 11`: what comes before is only a name, so the approximation is the answer.
        if let k = ByteText.find(approx, in: b) {
            let head = String(decoding: ByteText.trim(Array(b[0..<k])), as: UTF8.self)
            b = ParsedAnswer.isVariableName(head) ? Array(b[(k + approx.count)...]) : Array(b[0..<k])
        }
        if ByteText.contains(overline, in: b) { b = Array(repeatingDecimals(String(decoding: b, as: UTF8.self)).utf8) }
        b = plainFunctionNames(b)
        b = ByteText.trim(b)
        var unit: String? = nil
        b = stripUnits(b, percent: &percent, unit: &unit)
        while let l = b.last, l == UInt8(ascii: ".") || l == UInt8(ascii: ",") || l == UInt8(ascii: ";") { b.removeLast(); b = ByteText.trim(b) }
        if b.count >= 2, b[0] == UInt8(ascii: "{"), b[b.count - 1] == UInt8(ascii: "}"), bracesBalancedInside(b) {
            b = ByteText.trim(Array(b[1..<(b.count - 1)]))
        }
        b = removeThousandsSeparators(b)
        return Result(text: String(decoding: collapseSpaces(b), as: UTF8.self), percent: percent, unit: unit)
    }

    static let boxed = Array("\\boxed".utf8), fbox = Array("\\fbox".utf8)

    /// `\\frac`, `\\left(` -> `\frac`, `\left(`: answers that passed through one escaping too many
    /// (JSON or Python source) double every backslash. A doubled backslash before a letter is never a
    /// row break in an answer, so it is read as one.
    static func collapseDoubledBackslashes(_ b: [UInt8]) -> [UInt8] {
        guard b.count >= 3, ByteText.contains(doubleBackslash, in: b) else { return b }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), i + 2 < b.count, b[i + 1] == UInt8(ascii: "\\") {
                if AnswerExtractor.isLetter(b[i + 2]) { out.append(b[i]); i += 2; continue }
                out.append(b[i]); out.append(b[i + 1]); i += 2; continue
            }
            out.append(b[i])
            i += 1
        }
        return out
    }
    static let doubleBackslash = Array("\\\\".utf8)
    static let approx = Array("\\approx".utf8), overline = Array("\\overline".utf8)
    static let dollarTable = ByteText.Table([("\\$", " ")])
    static let percentTable = ByteText.Table([("\\%", ""), ("%", "")])
    static let replacementTable = ByteText.Table(replacements)
    static let lateTable = ByteText.Table(lateReplacements)
    static let unwrapCommandBytes = unwrapCommands.map { Array($0.utf8) }

    /// Spacing and sizing commands, fraction variants, degree marks.
    static let replacements: [(String, String)] = [
        // A matrix row break `\\` stays whole (else its second backslash would start `\ ` below).
        ("\\\\", "\\\\"),
        // `11,\! 111`: a thousands comma followed by a negative thin space.
        (",\\! ", ","), (",\\!", ","), (" {, }", ","), ("{, }", ","),
        ("\\left", ""), ("\\right", ""), ("\\bigl", ""), ("\\bigr", ""), ("\\Bigl", ""), ("\\Bigr", ""),
        ("\\displaystyle", ""), ("\\textstyle", ""), ("\\!", ""), ("\\,", " "), ("\\;", " "), ("\\:", " "),
        ("\\quad", " "), ("\\qquad", " "), ("\\ ", " "), ("~", " "),
        ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\cfrac", "\\frac"),
        ("^{\\circ}", ""), ("^\\circ", ""), ("^{\\circ }", ""), ("\\circ", ""), ("°", ""), ("\\degree", ""),
        ("{,}", ","), ("\\le ", "\\leq "), ("\\ge ", "\\geq "),
        ("\\infinity", "\\infty"), ("\\emptyset", "\\varnothing"),
        ("−", "-"), ("×", "\\times"), ("·", "\\cdot"), ("π", "\\pi"), ("√", "\\sqrt"), ("∞", "\\infty"),
    ]

    /// After `\text{}` is unwrapped: words that mean degrees or percent.
    static let lateReplacements: [(String, String)] = [
        ("percent", "%"), ("degrees", ""), ("degree", ""),
    ]

    /// Commands whose braces are dropped and content kept.
    static let unwrapCommands = ["\\textnormal", "\\textsf", "\\texttt", "\\mathsf", "\\text", "\\textbf", "\\textit", "\\textrm", "\\mathrm", "\\mathbf", "\\mathit", "\\mbox", "\\operatorname", "\\boldsymbol", "\\mathbb"]

    /// Words after a number that name a unit or a currency and are dropped ("18 dollars", "5 cm^2").
    /// Single letters are never treated as units: `5x` is an expression.
    static let mathWords: Set<String> = ["sin", "cos", "tan", "ln", "log", "exp", "pi", "infty", "sqrt", "frac", "cup", "cap", "pm", "mp", "and", "or", "to"]

    /// `0.\overline{3}` -> `\frac{3}{9}`, `1.2\overline{45}` -> `(12 + \frac{45}{99})/10`: a repeating decimal
    /// written as the exact fraction it denotes. Only whole numbers of that form are rewritten.
    static func repeatingDecimals(_ s: String) -> String {
        let b = Array(s.utf8)
        guard let ov = s.range(of: "\\overline{") else { return s }
        let head = String(s[..<ov.lowerBound]).trimmingWhitespace()
        let rest = s[ov.upperBound...]
        guard let close = rest.firstIndex(of: "}"), rest.index(after: close) == rest.endIndex else { return s }
        let rep = String(rest[..<close])
        guard !rep.isEmpty, rep.allSatisfy({ $0.isASCII && $0.isNumber }), rep.count <= 9 else { return s }
        var neg = false
        var h = Substring(head)
        if h.first == "-" { neg = true; h = h.dropFirst() }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), parts[1].count <= 9 else { return s }
        let whole = parts[0].isEmpty ? "0" : String(parts[0])
        let fixed = String(parts[1])
        // value = (whole.fixed + rep / (10^k - 1) / 10^len(fixed))
        let nines = String(repeating: "9", count: rep.count)
        let scale = "1" + String(repeating: "0", count: fixed.count)
        let base = fixed.isEmpty ? whole : "\(whole).\(fixed)"
        _ = b
        return (neg ? "-" : "") + "(\(base) + \\frac{\(rep)}{\(nines)\(fixed.isEmpty ? "" : "\\cdot \(scale)")})"
    }

    /// `sqrt(2)` and `pi` written without a backslash (plain-text answers) become LaTeX commands.
    static func plainFunctionNames(_ input: [UInt8]) -> [UInt8] {
        guard ByteText.contains(sqrtBytes, in: input) || ByteText.contains(piBytes, in: input) else { return input }
        var b = input
        // Copies into a new array rather than inserting in place: one insert per word would make a long
        // answer of many words quadratic.
        for word in [sqrtBytes, piBytes] {
            var out: [UInt8] = []
            out.reserveCapacity(b.count + 16)
            var i = 0
            while i < b.count {
                if i + word.count <= b.count, ByteText.matches(word, in: b, at: i),
                   i == 0 || !(AnswerExtractor.isLetter(b[i - 1]) || b[i - 1] == UInt8(ascii: "\\")),
                   i + word.count == b.count || !AnswerExtractor.isLetter(b[i + word.count]) {
                    out.append(UInt8(ascii: "\\"))
                    out.append(contentsOf: word)
                    i += word.count
                } else {
                    out.append(b[i])
                    i += 1
                }
            }
            b = out
        }
        return b
    }
    static let sqrtBytes = Array("sqrt".utf8), piBytes = Array("pi".utf8)

    static func stripDelimiters(_ b: [UInt8]) -> [UInt8] {
        guard b.count >= 4, b[0] == UInt8(ascii: "\\"), b[b.count - 2] == UInt8(ascii: "\\") else { return b }
        let o = b[1], c = b[b.count - 1]
        if (o == UInt8(ascii: "(") && c == UInt8(ascii: ")")) || (o == UInt8(ascii: "[") && c == UInt8(ascii: "]")) {
            return Array(b[2..<(b.count - 2)])
        }
        return b
    }

    /// Replaces every `\cmd{X}` (and `\cmd X` for single tokens) with ` X `-free content `X`.
    static func unwrap(_ b: [UInt8], command c: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), ByteText.matches(c, in: b, at: i),
               i + c.count == b.count || !AnswerExtractor.isLetter(b[i + c.count]) {
                var j = i + c.count
                while j < b.count, b[j] == 0x20 { j += 1 }
                if j < b.count, b[j] == UInt8(ascii: "{") {
                    var depth = 0, k = j
                    while k < b.count {
                        if b[k] == UInt8(ascii: "{") { depth += 1 } else if b[k] == UInt8(ascii: "}") { depth -= 1; if depth == 0 { break } }
                        k += 1
                    }
                    if k < b.count {
                        out.append(contentsOf: b[(j + 1)..<k])
                        i = k + 1
                        continue
                    }
                }
                i = j
                continue
            }
            out.append(b[i])
            i += 1
        }
        return out
    }

    /// Drops trailing unit words after something numeric: `18 dollars`, `5 cm^2`, `3 square units`,
    /// `12 km/h`. Keeps words when nothing numeric precedes them (a textual answer).
    /// `stripUnits` on one item of a list (`35 cm` in `35 cm, 4`).
    static func withoutUnits(_ s: String) -> String {
        var p = false, u: String? = nil
        return String(decoding: stripUnits(Array(s.utf8), percent: &p, unit: &u), as: UTF8.self)
    }

    static func stripUnits(_ input: [UInt8], percent: inout Bool, unit: inout String?) -> [UInt8] {
        var b = input
        // Words are only removed from the end, so the first digit or closing brace never moves: found once,
        // not once per word (which made a long run of unit-like words quadratic).
        let firstNumeric = b.firstIndex(where: { AnswerExtractor.isDigit($0) || $0 == UInt8(ascii: "}") })
        var changed = true
        while changed {
            changed = false
            var e = b.count
            while e > 0, b[e - 1] == 0x20 || b[e - 1] == UInt8(ascii: ".") { e -= 1 }
            // Optional exponent on the unit (cm^2, m^{3}) or a per-unit (/h, /s).
            var k = e
            if k >= 2, AnswerExtractor.isDigit(b[k - 1]), b[k - 2] == UInt8(ascii: "^") { k -= 2 } else if k >= 4, b[k - 1] == UInt8(ascii: "}"), AnswerExtractor.isDigit(b[k - 2]), b[k - 3] == UInt8(ascii: "{"), b[k - 4] == UInt8(ascii: "^") { k -= 4 }
            var w = k
            while w > 0, AnswerExtractor.isLetter(b[w - 1]) { w -= 1 }
            let len = k - w
            guard len >= 2 || (len == 1 && w > 0 && b[w - 1] == UInt8(ascii: "/")) else { break }
            if w > 0, b[w - 1] == UInt8(ascii: "\\") { break }
            let word = String(decoding: b[w..<k], as: UTF8.self).lowercased()
            if mathWords.contains(word) { break }
            // Only units after numbers: something before the word must hold a digit or a closing brace.
            var p = w
            while p > 0, b[p - 1] == 0x20 || b[p - 1] == UInt8(ascii: "/") || b[p - 1] == UInt8(ascii: "-") { p -= 1 }
            guard p > 0, let f = firstNumeric, f < p else { break }
            // The word must be separated from what precedes it (not `2xy`), unless it is a long word (`5cm` is
            // short, so require a space for words under 3 letters after a digit... keep it simple: a space,
            // a slash, or a digit before a word of 2+ letters that is not a run of single variables).
            let before = w > 0 ? b[w - 1] : 0x20
            let separated = before == 0x20 || before == UInt8(ascii: "/") || before == UInt8(ascii: "-") || before == UInt8(ascii: "}")
            if !separated && !(AnswerExtractor.isDigit(before) && len >= 2 && isKnownUnit(word)) { break }
            if word == "percent" || word == "pct" || word == "percentage" { percent = true } else if unit == nil, isKnownUnit(word) { unit = word }
            b.removeSubrange(p..<b.count)
            changed = true
        }
        return ByteText.trim(b)
    }

    static let knownUnits: Set<String> = ["cm", "mm", "km", "m", "kg", "g", "mg", "lb", "lbs", "oz", "ft", "in", "inches", "feet", "yd", "mi", "miles",
                                          "s", "sec", "min", "h", "hr", "hrs", "hours", "minutes", "seconds", "days", "ml", "l", "cents", "dollars", "units", "mph", "kmh"]
    static func isKnownUnit(_ w: String) -> Bool { knownUnits.contains(w) }

    /// One spelling per unit, so that `mi` and `miles` agree when a gold and an answer both name one.
    static func canonicalUnit(_ w: String) -> String {
        switch w {
        case "miles", "mile", "mi": return "mi"
        case "inches", "inch", "in": return "in"
        case "feet", "foot", "ft": return "ft"
        case "hours", "hour", "hr", "hrs", "h": return "h"
        case "minutes", "minute", "min": return "min"
        case "seconds", "second", "sec", "s": return "s"
        case "lbs", "lb": return "lb"
        case "dollars", "dollar": return "dollars"
        case "units", "unit": return "units"
        default: return w
        }
    }

    /// `1,234,567` -> `1234567` outside brackets, where every group after the first has exactly three
    /// digits. Commas elsewhere separate list items and stay.
    static func removeThousandsSeparators(_ b: [UInt8]) -> [UInt8] {
        // `1 000 000` (a thin space `\,` became a space): digit groups of three.
        if b.contains(0x20) {
            let groups = b.split(separator: 0x20)
            if groups.count > 1, let f = groups.first, (1...3).contains(f.count), f.allSatisfy(AnswerExtractor.isDigit),
               groups.dropFirst().allSatisfy({ $0.count == 3 && $0.allSatisfy(AnswerExtractor.isDigit) }) {
                return Array(groups.joined())
            }
        }
        guard b.contains(UInt8(ascii: ",")) else { return b }
        var depth = 0
        var drop = [Bool](repeating: false, count: b.count)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 }
            if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { depth -= 1 }
            if depth == 0, AnswerExtractor.isDigit(c), i == 0 || !(AnswerExtractor.isDigit(b[i - 1]) || b[i - 1] == UInt8(ascii: ".")) {
                // A run of digits and commas starting here.
                var j = i
                while j < b.count, AnswerExtractor.isDigit(b[j]) || (b[j] == UInt8(ascii: ",") && j + 1 < b.count && AnswerExtractor.isDigit(b[j + 1])) { j += 1 }
                let run = b[i..<j]
                let groups = run.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                // A first group starting with 0 (`0,111`) is not a thousands group.
                if groups.count > 1, let f = groups.first, (1...3).contains(f.count), f.first != UInt8(ascii: "0"), groups.dropFirst().allSatisfy({ $0.count == 3 }) {
                    for k in i..<j where b[k] == UInt8(ascii: ",") { drop[k] = true }
                }
                i = j
                continue
            }
            i += 1
        }
        var out: [UInt8] = []
        for (k, c) in b.enumerated() where !drop[k] { out.append(c) }
        return out
    }

    static func bracesBalancedInside(_ b: [UInt8]) -> Bool {
        var depth = 0
        for (k, c) in b.enumerated() {
            if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 && k != b.count - 1 { return false }
            }
        }
        return depth == 0
    }

    static func collapseSpaces(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var lastSpace = false
        for c in b {
            if ByteText.isSpace(c) {
                if !lastSpace && !out.isEmpty { out.append(0x20) }
                lastSpace = true
            } else {
                out.append(c)
                lastSpace = false
            }
        }
        if out.last == 0x20 { out.removeLast() }
        return out
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var u = Substring(self)
        while let f = u.first, f == " " || f == "\n" || f == "\t" || f == "\r" { u.removeFirst() }
        while let l = u.last, l == " " || l == "\n" || l == "\t" || l == "\r" { u.removeLast() }
        return String(u)
    }
}
