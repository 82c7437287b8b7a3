/// A syntax error inside one JSON text: `offset` is the byte offset within that text.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    /// The counted reason: `invalid-utf8` for encoding errors, `malformed-json` for the rest.
    public var kind: RejectionReason
    public init(offset: Int, reason: String, kind: RejectionReason = .malformedJSON) {
        self.offset = offset; self.reason = reason; self.kind = kind
    }
    public var description: String { "\(reason) at byte \(offset) of the line" }
}

/// A strict RFC 8259 parser over raw bytes that also validates UTF-8.
///
/// Why hand-written: a stage that moves 150+ MB/s cannot build a Foundation object graph for every record
/// (DESIGN.md section 8). `scanTopLevel` validates a whole record and returns only where its top-level
/// fields are; `parse` decodes a value fully when a stage needs one. Nesting is limited so hostile
/// input cannot exhaust the stack.
public struct JSONParser {
    public static let maxDepth = 512

    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let count: Int
    @usableFromInline var i: Int

    public init(_ buffer: UnsafeRawBufferPointer) {
        // An empty buffer has no base address; point at a static byte so reads are never made (count == 0).
        self.base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? JSONParser.emptyByte
        self.count = buffer.count
        self.i = 0
    }
    private static let emptyByte: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1); p.pointee = 0; return UnsafePointer(p)
    }()

    // MARK: - Entry points

    /// Validates `bytes` as one JSON object (surrounding whitespace allowed) and returns its top-level
    /// fields: decoded key, and the byte range of the value.
    public static func scanTopLevel(_ bytes: UnsafeRawBufferPointer) throws -> [FieldSpan] {
        var p = JSONParser(bytes)
        p.skipWhitespace()
        guard p.i < p.count else { throw JSONSyntaxError(offset: 0, reason: "empty line (expected a JSON object)") }
        guard p.base[p.i] == UInt8(ascii: "{") else {
            throw JSONSyntaxError(offset: p.i, reason: "expected a JSON object, found \(p.describeByte(p.i))")
        }
        p.i += 1
        var fields: [FieldSpan] = []
        fields.reserveCapacity(8)
        p.skipWhitespace()
        if p.peek == UInt8(ascii: "}") {
            p.i += 1
        } else {
            while true {
                p.skipWhitespace()
                guard p.peek == UInt8(ascii: "\"") else { throw p.error("expected a string key") }
                let key = try p.parseString()
                p.skipWhitespace()
                guard p.peek == UInt8(ascii: ":") else { throw p.error("expected ':' after key \"\(key)\"") }
                p.i += 1
                p.skipWhitespace()
                let start = p.i
                try p.skipValue(depth: 1)
                fields.append(FieldSpan(key: key, value: start..<p.i))
                p.skipWhitespace()
                guard p.i < p.count else { throw p.error("unterminated object (the line ends inside it)") }
                let c = p.base[p.i]
                p.i += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "}") { break }
                p.i -= 1
                throw p.error("expected ',' or '}' in object")
            }
        }
        p.skipWhitespace()
        if p.i < p.count { throw p.error("unexpected data after the JSON object") }
        return fields
    }

    /// Parses one complete JSON value (surrounding whitespace allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var p = JSONParser(bytes)
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0)
        p.skipWhitespace()
        if p.i < p.count { throw p.error("unexpected data after the JSON value") }
        return v
    }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse($0) }
    }

    public static func parse(_ text: String) throws -> JSONValue {
        var t = text
        return try t.withUTF8 { try parse(UnsafeRawBufferPointer($0)) }
    }

    // MARK: - Scanning

    @inline(__always) var peek: UInt8 { i < count ? base[i] : 0 }

    /// After an object member or array element (whitespace skipped): consumes `,` and returns true (another
    /// follows), or the closing `close` (`}` or `]`) and returns false; anything else is an error. The one
    /// separator step of every walker over our JSON (this parser, the Parquet schema inference and shredder),
    /// so they report a bad separator alike.
    @inline(__always) mutating func moreMembers(closing close: UInt8) throws -> Bool {
        let object = close == UInt8(ascii: "}")
        guard i < count else { throw error(object ? "unterminated object" : "unterminated array") }
        let c = base[i]
        i += 1
        if c == UInt8(ascii: ",") { return true }
        if c == close { return false }
        i -= 1
        throw error(object ? "expected ',' or '}' in object" : "expected ',' or ']' in array")
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < count {
            let c = base[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    func describeByte(_ at: Int) -> String {
        guard at < count else { return "end of line" }
        let c = base[at]
        // A byte order mark is valid UTF-8 but not JSON; "byte 0xef" would not tell the user what it is.
        // (One at the start of a file is stripped by `LineReader`, as Python's utf-8-sig does.)
        if c == 0xEF, at + 2 < count, base[at + 1] == 0xBB, base[at + 2] == 0xBF {
            return "a UTF-8 byte order mark (BOM, bytes EF BB BF)"
        }
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16)
    }

    func error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: i, reason: i >= count ? "\(reason), found end of line" : reason)
    }

    func utf8Error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: i, reason: reason, kind: .invalidUTF8)
    }

    /// Validates one value without building it.
    mutating func skipValue(depth: Int) throws {
        guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
        guard i < count else { throw error("expected a value") }
        switch base[i] {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"):
            i += 1; skipWhitespace()
            if peek == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw error("expected a string key") }
                try skipString(); skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw error("expected ':' after key") }
                i += 1; skipWhitespace()
                try skipValue(depth: depth + 1); skipWhitespace()
                if try moreMembers(closing: UInt8(ascii: "}")) { continue }
                return
            }
        case UInt8(ascii: "["):
            i += 1; skipWhitespace()
            if peek == UInt8(ascii: "]") { i += 1; return }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1); skipWhitespace()
                if try moreMembers(closing: UInt8(ascii: "]")) { continue }
                return
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try scanNumber()
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= count else { throw error("invalid literal") }
        let w = word.utf8Start
        for k in 0..<n where base[i + k] != w[k] { throw error("invalid literal") }
        i += n
    }

    /// Validates a number per the JSON grammar and returns its byte range.
    mutating func scanNumber() throws -> Range<Int> {
        let start = i
        if peek == UInt8(ascii: "-") { i += 1 }
        guard i < count, base[i] >= 0x30, base[i] <= 0x39 else {
            i = start
            throw error("expected a value, found \(describeByte(start))")
        }
        if base[i] == 0x30 { i += 1 } else { while i < count, base[i] >= 0x30, base[i] <= 0x39 { i += 1 } }
        if peek == UInt8(ascii: ".") {
            i += 1
            guard i < count, base[i] >= 0x30, base[i] <= 0x39 else { throw error("expected a digit after '.'") }
            while i < count, base[i] >= 0x30, base[i] <= 0x39 { i += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard i < count, base[i] >= 0x30, base[i] <= 0x39 else { throw error("expected a digit in exponent") }
            while i < count, base[i] >= 0x30, base[i] <= 0x39 { i += 1 }
        }
        return start..<i
    }

    /// Skips a string, validating escapes and UTF-8.
    mutating func skipString() throws {
        i += 1 // opening quote
        while i < count {
            // Eight bytes at a time while none is a quote, backslash, control byte or non-ASCII byte:
            // record text is mostly plain ASCII, and this is the parser's hottest loop. (SWAR on a
            // UInt64: Swift's SIMD mask types do not compile to vector compares here.)
            i = SWAR.skipToJSONStringSpecial(base, from: i, end: count)
            guard i < count else { break }
            let c = base[i]
            if c == UInt8(ascii: "\"") { i += 1; return }
            if c == UInt8(ascii: "\\") {
                try skipEscape()
            } else if c < 0x20 {
                throw error("unescaped control character 0x\(String(c, radix: 16)) in string")
            } else if c < 0x80 {
                i += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw error("unterminated string")
    }

    @inline(__always) mutating func skipEscape() throws {
        guard i + 1 < count else { throw error("unterminated escape") }
        switch base[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            i += 2
        case UInt8(ascii: "u"):
            _ = try hex4(at: i + 2)
            i += 6
        default:
            i += 1
            throw error("invalid escape '\\\(describeByte(i))'")
        }
    }

    func hex4(at: Int) throws -> UInt32 {
        guard at + 4 <= count else { throw JSONSyntaxError(offset: at, reason: "truncated \\u escape") }
        guard let v = JSONEscapes.hex4(base + at) else { throw JSONSyntaxError(offset: at, reason: "invalid hex digit in \\u escape") }
        return v
    }

    /// Validates one multi-byte UTF-8 sequence starting at `i` (Unicode Table 3-7) and steps over it.
    @inline(__always) mutating func skipUTF8Sequence() throws {
        let c = base[i]
        guard let (need, lo, hi) = UTF8Lead.shape(c) else { throw utf8Error("invalid UTF-8 (byte 0x\(String(c, radix: 16)))") }
        guard i + need < count else { throw utf8Error("invalid UTF-8 (byte 0x\(String(c, radix: 16)) starts a sequence cut short)") }
        let b1 = base[i + 1]
        let lead = "invalid UTF-8 (byte 0x\(String(c, radix: 16)) is not followed by a valid continuation byte)"
        guard b1 >= lo && b1 <= hi else { throw utf8Error(lead) }
        if need >= 2 {
            guard base[i + 2] & 0xC0 == 0x80 else { throw utf8Error(lead) }
        }
        if need == 3 {
            guard base[i + 3] & 0xC0 == 0x80 else { throw utf8Error(lead) }
        }
        i += need + 1
    }

    // MARK: - Decoding

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
        guard i < count else { throw error("expected a value") }
        switch base[i] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"):
            i += 1; skipWhitespace()
            var entries: [JSONObject.Entry] = []
            if peek == UInt8(ascii: "}") { i += 1; return .object(JSONObject(entries)) }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try parseString(); skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
                i += 1; skipWhitespace()
                entries.append(JSONObject.Entry(key: key, value: try parseValue(depth: depth + 1)))
                skipWhitespace()
                if try moreMembers(closing: UInt8(ascii: "}")) { continue }
                return .object(JSONObject(entries))
            }
        case UInt8(ascii: "["):
            i += 1; skipWhitespace()
            var items: [JSONValue] = []
            if peek == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try parseValue(depth: depth + 1)); skipWhitespace()
                if try moreMembers(closing: UInt8(ascii: "]")) { continue }
                return .array(items)
            }
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            let r = try scanNumber()
            return .number(String(decoding: UnsafeBufferPointer(start: base + r.lowerBound, count: r.count), as: UTF8.self))
        }
    }

    /// Decodes a string, validating as it goes. Fast path: no escapes -> one copy of the bytes.
    mutating func parseString() throws -> String {
        let start = i
        try skipString()
        let body = UnsafeBufferPointer(start: base + start + 1, count: i - start - 2)
        if !body.contains(UInt8(ascii: "\\")) {
            return String(decoding: body, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        let p = base + start + 1
        var k = 0
        while k < body.count {
            let c = p[k]
            if c != UInt8(ascii: "\\") { out.append(c); k += 1; continue }
            // skipString validated every escape; a failure here would be a parser bug, reported, not trapped.
            guard k + 1 < body.count, let next = JSONEscapes.decode(p, at: k, end: body.count, into: &out) else {
                throw JSONSyntaxError(offset: start + 1 + k, reason: "invalid escape")
            }
            k = next
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Where one top-level field of a record is: its decoded key and the byte range of its value.
public struct FieldSpan: Sendable, Hashable {
    public var key: String
    public var value: Range<Int>
    public init(key: String, value: Range<Int>) { self.key = key; self.value = value }
}
