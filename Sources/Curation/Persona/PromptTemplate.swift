/// A prompt template: text with `{name}` placeholders. `{{` and `}}` stand for literal braces; any other
/// brace is literal too unless it encloses a name (letters, digits, `_`). Placeholders are checked when
/// the template is made (unknown ones are errors) and again when it is rendered (each needs a value),
/// so a template never sends a model a prompt with a hole in it.
public struct PromptTemplate: Sendable, Hashable {
    /// Where the template came from (a file path or `built-in NAME`), for error messages.
    public let origin: String
    public let text: String
    /// The placeholder names in order of first appearance.
    public let placeholders: [String]
    let segments: [Segment]

    enum Segment: Sendable, Hashable {
        case literal(String)
        case placeholder(String)
    }

    /// Parses `text`; throws `PersonaError.unknownPlaceholder` for a placeholder outside `allowed` and
    /// `.missingPlaceholder` when one of `required` does not appear.
    public init(text: String, origin: String, allowed: Set<String>, required: [String]) throws {
        self.origin = origin
        self.text = text
        let segments = Self.parse(text)
        var names: [String] = []
        for case .placeholder(let n) in segments where !names.contains(n) {
            guard allowed.contains(n) else { throw PersonaError.unknownPlaceholder(template: origin, placeholder: n) }
            names.append(n)
        }
        for r in required where !names.contains(r) { throw PersonaError.missingPlaceholder(template: origin, placeholder: r) }
        self.placeholders = names
        self.segments = segments
    }

    /// Fills every placeholder from `values` (values are inserted verbatim, never re-scanned, so a
    /// persona that contains braces stays as written). Throws `.unfilledPlaceholder` for a missing value.
    public func render(_ values: [String: String]) throws -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + values.values.reduce(0) { $0 + $1.utf8.count })
        for s in segments {
            switch s {
            case .literal(let l): out += l
            case .placeholder(let n):
                guard let v = values[n] else { throw PersonaError.unfilledPlaceholder(template: origin, placeholder: n) }
                out += v
            }
        }
        return out
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }

    static func parse(_ text: String) -> [Segment] {
        let b = Array(text.utf8)
        var segments: [Segment] = []
        var literal: [UInt8] = []
        func flush() {
            if !literal.isEmpty { segments.append(.literal(String(decoding: literal, as: UTF8.self))); literal.removeAll() }
        }
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x7B, i + 1 < b.count, b[i + 1] == 0x7B { literal.append(0x7B); i += 2; continue }   // {{
            if c == 0x7D, i + 1 < b.count, b[i + 1] == 0x7D { literal.append(0x7D); i += 2; continue }   // }}
            if c == 0x7B {
                var j = i + 1
                while j < b.count, isNameByte(b[j]) { j += 1 }
                if j > i + 1, j < b.count, b[j] == 0x7D {
                    flush()
                    segments.append(.placeholder(String(decoding: b[(i + 1)..<j], as: UTF8.self)))
                    i = j + 1
                    continue
                }
            }
            literal.append(c)
            i += 1
        }
        flush()
        return segments
    }
}
