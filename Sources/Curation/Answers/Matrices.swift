/// Matrices: `pmatrix`, `bmatrix`, `matrix`, `vmatrix`-free `array` environments, and sums and products of
/// numeric matrices (`\begin{pmatrix}1&2\\3&4\end{pmatrix} + \begin{pmatrix}...\end{pmatrix}`).
///
/// A matrix answer is compared entry by entry, so the environment a model picked (`pmatrix` against
/// `bmatrix`, or `\left[\begin{array}{cc}...\end{array}\right]`) does not matter. Arithmetic between
/// matrices is done only when every entry has a value: it is how a model sometimes leaves the answer.
enum MatrixParser {
    static let begin = Array("\\begin{".utf8), end = Array("\\end{".utf8)
    static let environments: Set<String> = ["pmatrix", "bmatrix", "Bmatrix", "matrix", "smallmatrix", "array"]
    /// Entries allowed in one matrix: answers are small, and this bounds the work on hostile input.
    static let maxEntries = 400

    /// One `\begin{env}...\end{env}` found at `i`: its rows of entry texts and the index after it.
    static func literal(_ b: [UInt8], at i: Int) -> (rows: [[String]], end: Int)? {
        guard ByteText.matches(begin, in: b, at: i) else { return nil }
        var j = i + begin.count
        let nameStart = j
        while j < b.count, AnswerExtractor.isLetter(b[j]) { j += 1 }
        let name = String(decoding: b[nameStart..<j], as: UTF8.self)
        guard environments.contains(name), j < b.count, b[j] == UInt8(ascii: "}") else { return nil }
        j += 1
        // `array` takes a column spec: `{cc}`, `{c|c}`.
        if name == "array" {
            while j < b.count, b[j] == 0x20 { j += 1 }
            if j < b.count, b[j] == UInt8(ascii: "{") {
                while j < b.count, b[j] != UInt8(ascii: "}") { j += 1 }
                j += 1
            }
        }
        let closing = Array(("\\end{" + name + "}").utf8)
        guard let stop = ByteText.find(closing, in: b, from: j) else { return nil }
        // Nested environments are not matrices of numbers; refuse them.
        if let inner = ByteText.find(begin, in: b, from: j), inner < stop { return nil }
        let body = Array(b[j..<stop])
        var rows: [[String]] = []
        var entries = 0
        for row in splitRows(body) {
            let cells = ParsedAnswer.splitTopLevel(row, separator: "&").map { $0.trimmingWhitespace() }
            if cells.count == 1 && cells[0].isEmpty { continue }
            entries += cells.count
            guard entries <= maxEntries else { return nil }
            rows.append(cells)
        }
        guard !rows.isEmpty, rows.allSatisfy({ $0.count == rows[0].count }) else { return nil }
        return (rows, stop + closing.count)
    }

    /// Rows separated by `\\` (a `\\` inside braces stays).
    static func splitRows(_ b: [UInt8]) -> [[UInt8]] {
        var rows: [[UInt8]] = []
        var depth = 0, start = 0, i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") { depth -= 1 }
            if depth == 0, c == UInt8(ascii: "\\"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "\\") {
                rows.append(Array(b[start..<i]))
                i += 2
                start = i
                continue
            }
            if c == UInt8(ascii: "\\") { i += 2; continue }
            i += 1
        }
        rows.append(Array(b[start..<b.count]))
        return rows
    }

    /// A matrix answer: one literal (entries parsed as answers), or sums and products of numeric literals.
    /// Nil when `b` holds no matrix or anything besides matrices and operators.
    static func form(_ b: [UInt8], depth: Int, tooDeep: inout Bool) -> AnswerForm? {
        var s = ByteText.trim(b)
        // `(\begin{pmatrix}...\end{pmatrix})` or `[\begin{array}...\end{array}]`: drop the outer brackets.
        if let (_, _, inner) = ParsedAnswer.enclosed(s), ByteText.trim(inner).starts(with: begin) { s = ByteText.trim(inner) }
        guard s.starts(with: begin) else { return nil }
        // Terms and the operators between them.
        var mats: [[[String]]] = [], ops: [UInt8] = []
        var i = 0
        while i < s.count {
            while i < s.count, s[i] == 0x20 { i += 1 }
            guard let (rows, e) = literal(s, at: i) else { return nil }
            mats.append(rows)
            i = e
            while i < s.count, s[i] == 0x20 { i += 1 }
            guard i < s.count else { break }
            if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { ops.append(s[i]); i += 1 } else if ByteText.matches(cdot, in: s, at: i) { ops.append(UInt8(ascii: "*")); i += cdot.count } else if ByteText.matches(times, in: s, at: i) { ops.append(UInt8(ascii: "*")); i += times.count } else if ByteText.matches(begin, in: s, at: i) { ops.append(UInt8(ascii: "*")) } else { return nil }
            guard mats.count <= 8 else { return nil }
        }
        guard ops.count == mats.count - 1 else { return nil }
        if mats.count == 1 {
            return .matrix(mats[0].map { row in row.map { ParsedAnswer.form($0, percent: false, depth: depth + 1, tooDeep: &tooDeep) } })
        }
        // Arithmetic: every entry must have a value.
        var values: [[[MathValue]]] = []
        for m in mats {
            var rows: [[MathValue]] = []
            for row in m {
                var r: [MathValue] = []
                for cell in row {
                    guard case .parsed(let e) = MathExpr.parseChecked(cell), let v = e.evaluate() else { return nil }
                    r.append(v)
                }
                rows.append(r)
            }
            values.append(rows)
        }
        // Products first, then sums, left to right.
        var terms: [[[MathValue]]] = [values[0]], signs: [UInt8] = []
        for (k, op) in ops.enumerated() {
            if op == UInt8(ascii: "*") {
                guard let last = terms.popLast(), let p = multiply(last, values[k + 1]) else { return nil }
                terms.append(p)
            } else {
                signs.append(op)
                terms.append(values[k + 1])
            }
        }
        var acc = terms[0]
        for (k, sign) in signs.enumerated() {
            guard let r = add(acc, terms[k + 1], subtract: sign == UInt8(ascii: "-")) else { return nil }
            acc = r
        }
        return .matrix(acc.map { row in row.map { v in
            .number(NumberForm(expression: .constant(v.double), value: v, variables: [], samples: [], percent: false, decimals: 0))
        } })
    }

    static let cdot = Array("\\cdot".utf8), times = Array("\\times".utf8)

    static func add(_ a: [[MathValue]], _ b: [[MathValue]], subtract: Bool) -> [[MathValue]]? {
        guard a.count == b.count, zip(a, b).allSatisfy({ $0.count == $1.count }) else { return nil }
        var out: [[MathValue]] = []
        for (ra, rb) in zip(a, b) {
            var row: [MathValue] = []
            for (x, y) in zip(ra, rb) {
                guard let v = MathValue.combine(x, y, { subtract ? $0.subtracting($1) : $0.adding($1) }, { subtract ? $0 - $1 : $0 + $1 }) else { return nil }
                row.append(v)
            }
            out.append(row)
        }
        return out
    }

    static func multiply(_ a: [[MathValue]], _ b: [[MathValue]]) -> [[MathValue]]? {
        guard let inner = a.first?.count, inner == b.count, let cols = b.first?.count else { return nil }
        var out: [[MathValue]] = []
        for row in a {
            var r: [MathValue] = []
            for j in 0..<cols {
                var sum: MathValue = .exact(.zero)
                for k in 0..<inner {
                    guard let p = MathValue.combine(row[k], b[k][j], { $0.multiplied(by: $1) }, *),
                          let s = MathValue.combine(sum, p, { $0.adding($1) }, +) else { return nil }
                    sum = s
                }
                r.append(sum)
            }
            out.append(r)
        }
        return out
    }
}
