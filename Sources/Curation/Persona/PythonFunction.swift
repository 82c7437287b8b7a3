import Foundation

/// Finds Python function definitions in a model's answer, for the code skill's filter: a task is kept
/// only when a solution defines a function with a real body (not only `pass`, `...`, comments or a
/// docstring). Looks inside fenced code blocks when the answer has any, else at the whole text.
public enum PythonFunction {
    /// A function found: its name and its source lines (signature and body).
    public struct Found: Sendable, Hashable {
        public var name: String
        public var source: String
    }

    /// The first function with a non-empty body, or nil.
    public static func first(in text: String) -> Found? {
        for block in codeBlocks(text) {
            if let f = firstFunction(lines: block) { return f }
        }
        return nil
    }

    /// The code to search: the contents of ``` fences (python-tagged or untagged first, other tags
    /// after), or the whole text when there are no fences.
    static func codeBlocks(_ text: String) -> [[Substring]] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        var preferred: [[Substring]] = [], others: [[Substring]] = []
        var current: [Substring]? = nil
        var currentTag = ""
        for line in lines {
            let t = line.drop { $0 == " " || $0 == "\t" }
            if t.hasPrefix("```") {
                if let c = current {
                    if currentTag.isEmpty || currentTag == "python" || currentTag == "py" || currentTag == "python3" { preferred.append(c) } else { others.append(c) }
                    current = nil
                } else {
                    current = []
                    currentTag = t.dropFirst(3).trimmingCharacters(in: .whitespaces).lowercased()
                }
                continue
            }
            current?.append(line)
        }
        if let c = current { preferred.append(c) }   // an unclosed fence (a truncated answer) still counts
        if preferred.isEmpty && others.isEmpty { return [lines] }
        return preferred + others
    }

    static func indent(_ line: Substring) -> Int {
        var n = 0
        for ch in line { if ch == " " { n += 1 } else if ch == "\t" { n += 4 } else { break } }
        return n
    }

    static func firstFunction(lines: [Substring]) -> Found? {
        var i = 0
        while i < lines.count {
            let line = lines[i]
            let stripped = line.drop { $0 == " " || $0 == "\t" }
            let afterAsync = stripped.hasPrefix("async def ") ? stripped.dropFirst(6) : stripped
            guard afterAsync.hasPrefix("def ") else { i += 1; continue }
            let name = afterAsync.dropFirst(4).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard !name.isEmpty, afterAsync.dropFirst(4 + name.count).first == "(" else { i += 1; continue }
            let defIndent = indent(line)
            // The signature may span lines; it ends at the first line ending in ':' (comments aside).
            var j = i
            while j < lines.count && j < i + 12 {
                let code = lines[j].split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                if code.trimmingCharacters(in: .whitespaces).hasSuffix(":") { break }
                j += 1
            }
            guard j < lines.count && j < i + 12 else { i += 1; continue }
            var body: [Substring] = []
            var k = j + 1
            while k < lines.count {
                let l = lines[k]
                if l.trimmingCharacters(in: .whitespaces).isEmpty { k += 1; continue }
                if indent(l) <= defIndent { break }
                body.append(l)
                k += 1
            }
            if hasStatement(body) {
                return Found(name: String(name), source: lines[i..<k].joined(separator: "\n"))
            }
            i = k > i ? k : i + 1
        }
        return nil
    }

    /// Whether a body holds a statement other than `pass`, `...`, comments and a docstring.
    static func hasStatement(_ body: [Substring]) -> Bool {
        var inDocstring: String? = nil
        var first = true
        for raw in body {
            let l = raw.trimmingCharacters(in: .whitespaces)
            if let q = inDocstring {
                if l.contains(q) { inDocstring = nil }
                continue
            }
            if l.hasPrefix("#") { continue }
            if first, let q = ["\"\"\"", "'''"].first(where: { l.hasPrefix($0) }) {
                first = false
                let rest = l.dropFirst(3)
                if !rest.contains(q) { inDocstring = q }
                continue
            }
            first = false
            if l == "pass" || l == "..." { continue }
            return true
        }
        return false
    }
}

/// Cleans a generated task: surrounding whitespace, a label the model put in front ("User instruction:",
/// "Problem:", ...), and quotes around the whole text.
public enum TaskText {
    public static let labels = ["user instruction:", "instruction:", "problem:", "math problem:", "question:", "request:", "task:", "new problem:"]

    public static func clean(_ text: String) -> String {
        var t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = t.lowercased()
        for l in labels where lower.hasPrefix(l) {
            t = String(t.dropFirst(l.count)).trimmingCharacters(in: .whitespacesAndNewlines)
            break
        }
        for l in ["**user instruction:**", "**problem:**", "**question:**", "**request:**", "**task:**"] where t.lowercased().hasPrefix(l) {
            t = String(t.dropFirst(l.count)).trimmingCharacters(in: .whitespacesAndNewlines)
            break
        }
        if t.count >= 2, t.first == "\"", t.last == "\"", !t.dropFirst().dropLast().contains("\"") {
            t = String(t.dropFirst().dropLast()).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return t
    }
}
