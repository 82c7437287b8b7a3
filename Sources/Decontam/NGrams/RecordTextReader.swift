import Curation

/// Puts the text of a training record into a `TokenBuffer`, straight from the record's raw JSON bytes:
/// string values are unescaped into a scratch buffer and normalised, with no JSON tree and no `String`
/// per message (the scan's budget is a few microseconds per record; DESIGN.md section 8).
///
/// Which text counts (issue 3): chat, every message's content; document, `text`; preference, the prompt
/// turns and both completions (through `RecordText`, which normalises the two layouts); other schemas as
/// `RecordText` says; `fields` overrides: each named field's strings, lists of strings and message
/// contents, in the order given.
public final class RecordTextReader {
    public let normalizer: TextNormalizer
    public let fields: [String]?
    private var scratch: [UInt8] = []

    public init(normalizer: TextNormalizer, fields: [String]? = nil) {
        self.normalizer = normalizer
        self.fields = fields
        scratch.reserveCapacity(1 << 16)
    }

    /// Replaces `buffer`'s content with the record's tokens. Throws `badRecord` for a field of the wrong type.
    public func read(_ record: RawRecord, into buffer: TokenBuffer) throws {
        buffer.removeAll()
        scratch.removeAll(keepingCapacity: true)
        if let fields {
            for f in fields { if let r = record.span(f) { try appendValue(record, field: f, range: r) } }
        } else {
            switch Schema.detect(record) {
            case .chat:
                if let r = record.span("messages") { try appendValue(record, field: "messages", range: r) }
                else if let r = record.span("conversations") { try appendValue(record, field: "conversations", range: r) }
            case .document:
                if let r = record.span("text") { try appendValue(record, field: "text", range: r) }
            default:
                scratch.append(contentsOf: try RecordText.text(of: record).utf8)
            }
        }
        scratch.withUnsafeBytes { normalizer.append(utf8: $0, to: buffer) }
    }

    /// The unescaped text the last `read` normalised (parts joined by newlines): token source offsets refer to it.
    public var lastText: [UInt8] { scratch }

    // MARK: - A small JSON walker over validated bytes

    private func appendValue(_ record: RawRecord, field: String, range: Range<Int>) throws {
        try record.bytes.withUnsafeBufferPointer { b in
            var i = range.lowerBound
            try value(b, &i, end: range.upperBound, record: record, field: field, top: true)
        }
    }

    private func separate() { if !scratch.isEmpty { scratch.append(0x0A) } }

    /// Reads one value at `i`: strings are text; arrays hold strings or messages; a top-level number counts
    /// as its text; other types at the top are an error, inside arrays they are skipped.
    private func value(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, end: Int, record: RawRecord, field: String, top: Bool) throws {
        skipWS(b, &i, end)
        guard i < end else { throw bad(record, field, "truncated value") }
        switch b[i] {
        case UInt8(ascii: "\""):
            separate(); try string(b, &i, end, record, field)
        case UInt8(ascii: "["):
            i += 1
            skipWS(b, &i, end)
            if i < end, b[i] == UInt8(ascii: "]") { i += 1; return }
            while i < end {
                skipWS(b, &i, end)
                guard i < end else { break }
                if b[i] == UInt8(ascii: "{") { try message(b, &i, end, record, field) }
                else if b[i] == UInt8(ascii: "\"") { separate(); try string(b, &i, end, record, field) }
                else { try skipValue(b, &i, end, record, field) }
                skipWS(b, &i, end)
                guard i < end else { break }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return }
                throw bad(record, field, "malformed list")
            }
            throw bad(record, field, "truncated list")
        case UInt8(ascii: "n"):
            try skipValue(b, &i, end, record, field)
        default:
            if top, b[i] == UInt8(ascii: "-") || (b[i] >= 0x30 && b[i] <= 0x39) {
                separate()
                let s = i
                try skipValue(b, &i, end, record, field)
                scratch.append(contentsOf: b[s..<i])
                return
            }
            if top { throw CurationError.badRecord(record.location, reason: "field \"\(field)\" should be text (a string, or a list of strings or messages), found \(typeName(b[i]))", kind: .wrongType) }
            try skipValue(b, &i, end, record, field)
        }
    }

    /// A message object: its `content` (a string, or a list of parts whose `text` counts) is text.
    private func message(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int, _ record: RawRecord, _ field: String) throws {
        i += 1 // {
        while i < end {
            skipWS(b, &i, end)
            guard i < end else { break }
            if b[i] == UInt8(ascii: "}") { i += 1; return }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            guard b[i] == UInt8(ascii: "\"") else { throw bad(record, field, "malformed message") }
            let keyStart = i + 1
            try skipString(b, &i, end, record, field)
            let isContent = i - keyStart - 1 == 7 && b[keyStart..<(keyStart + 7)].elementsEqual("content".utf8)
            let isText = i - keyStart - 1 == 4 && b[keyStart..<(keyStart + 4)].elementsEqual("text".utf8)
                // ShareGPT turns hold their text in `value`.
                || (field == "conversations" && i - keyStart - 1 == 5 && b[keyStart..<(keyStart + 5)].elementsEqual("value".utf8))
            skipWS(b, &i, end)
            guard i < end, b[i] == UInt8(ascii: ":") else { throw bad(record, field, "malformed message") }
            i += 1
            skipWS(b, &i, end)
            guard i < end else { break }
            if isContent || isText {
                switch b[i] {
                case UInt8(ascii: "\""): separate(); try string(b, &i, end, record, field)
                case UInt8(ascii: "["): try value(b, &i, end: end, record: record, field: field, top: false)
                case UInt8(ascii: "n"): try skipValue(b, &i, end, record, field)
                default:
                    throw CurationError.badRecord(record.location, reason: "\(field): message content should be a string, found \(typeName(b[i]))", kind: .wrongType)
                }
            } else {
                try skipValue(b, &i, end, record, field)
            }
        }
        throw bad(record, field, "truncated message")
    }

    /// Unescapes the string at `i` (which points at its opening quote) onto `scratch`.
    private func string(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int, _ record: RawRecord, _ field: String) throws {
        i += 1
        while i < end {
            var j = i
            if let base = b.baseAddress {
                // Eight bytes at a time up to the next quote or backslash.
                j = SWAR.skipToQuoteOrBackslash(base, from: j, end: end)
            }
            while j < end, b[j] != 0x22, b[j] != 0x5C { j += 1 }
            if j > i { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j])) }
            i = j
            guard i < end else { break }
            if b[i] == 0x22 { i += 1; return }
            // Backslash escape (validated when the record was read).
            guard i + 1 < end else { break }
            guard let base = b.baseAddress, let next = JSONEscapes.decode(base, at: i, end: end, into: &scratch) else {
                throw bad(record, field, "bad \\u escape")
            }
            i = next
        }
        throw bad(record, field, "unterminated string")
    }

    private func skipWS(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int) {
        while i < end, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private func skipString(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int, _ record: RawRecord, _ field: String) throws {
        i += 1
        guard let base = b.baseAddress else { throw bad(record, field, "unterminated string") }
        while i < end {
            if i + 8 <= end, !SWAR.hasQuoteOrBackslash(SWAR.load(base + i)) { i += 8; continue }
            if b[i] == 0x5C { i += 2; continue }
            if b[i] == 0x22 { i += 1; return }
            i += 1
        }
        throw bad(record, field, "unterminated string")
    }

    /// Skips one value of any type (the line was validated as JSON when it was read).
    private func skipValue(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int, _ record: RawRecord, _ field: String) throws {
        skipWS(b, &i, end)
        guard i < end else { throw bad(record, field, "truncated value") }
        var depth = 0
        repeat {
            guard i < end else { throw bad(record, field, "truncated value") }
            let c = b[i]
            if c == 0x22 { try skipString(b, &i, end, record, field); continue }
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1; i += 1; continue }
            if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                if depth == 0 { return }
                depth -= 1; i += 1; continue
            }
            if depth == 0 && (c == UInt8(ascii: ",") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09) { return }
            i += 1
        } while depth > 0 || i < end
    }

    private func typeName(_ c: UInt8) -> String {
        switch c {
        case UInt8(ascii: "{"): return "object"
        case UInt8(ascii: "["): return "array"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "\""): return "string"
        default: return "number"
        }
    }

    private func bad(_ record: RawRecord, _ field: String, _ what: String) -> CurationError {
        .badRecord(record.location, reason: "field \"\(field)\": \(what)")
    }
}
