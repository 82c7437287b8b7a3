import Foundation

/// Why the quality stage dropped an item (s1's first filter, DESIGN.md section 5). The raw value is the
/// reason key written in reports; `missingField` reports as `missing-field:NAME`.
public enum QualityIssue: Sendable, Hashable, CustomStringConvertible {
    case missingField(String)
    case emptyReasoning
    case truncatedReasoning
    case apiError
    case imageReference
    case asyBlock
    case brokenEnumeration
    case garbageText

    public var description: String {
        switch self {
        case .missingField(let f): return "missing-field:\(f)"
        case .emptyReasoning: return "empty-reasoning"
        case .truncatedReasoning: return "truncated-reasoning"
        case .apiError: return "api-error"
        case .imageReference: return "image-reference"
        case .asyBlock: return "asy-block"
        case .brokenEnumeration: return "broken-enumeration"
        case .garbageText: return "garbage-text"
        }
    }
}

/// The quality rules. Checks run in a fixed order and the first that fails names the reason:
/// missing fields, empty reasoning, API error text, non-text garbage, truncated reasoning, `[asy]`
/// blocks, image references, broken enumerations.
public struct QualityRules: Sendable {
    /// Fields that must be present, non-null and not blank.
    public var requiredFields: [String]
    /// Sources whose questions may carry `[asy]` figures (their figures are in the text).
    public var asyAllowedSources: Set<String>
    /// Case-insensitive phrases that mark an API error or a refusal instead of a real answer, searched in
    /// the reasoning and the attempt.
    public var apiErrorPatterns: [String] { didSet { apiMatcher = PatternMatcher(apiErrorPatterns) } }
    /// Case-insensitive phrases in the question that point at a picture the text does not contain.
    /// (Markdown images `![`, `<img` and image file names are always checked.)
    public var imagePhrases: [String] { didSet { imageMatcher = PatternMatcher(imagePhrases) } }
    private var apiMatcher: PatternMatcher
    private var imageMatcher: PatternMatcher
    private static let markerMatcher = PatternMatcher(imageMarkers)
    private static let asyMatcher = PatternMatcher(["[asy]"])
    /// Share of bad characters (U+FFFD, control characters other than tab and newlines, private-use
    /// characters) above which a text is garbage.
    public var maxGarbageShare: Double

    public init(requiredFields: [String] = ["question", "thinking", "source"], asyAllowedSources: Set<String> = [],
                apiErrorPatterns: [String] = QualityRules.defaultAPIErrorPatterns,
                imagePhrases: [String] = QualityRules.defaultImagePhrases, maxGarbageShare: Double = 0.01) {
        self.requiredFields = requiredFields
        self.asyAllowedSources = asyAllowedSources
        self.apiErrorPatterns = apiErrorPatterns
        self.imagePhrases = imagePhrases
        self.maxGarbageShare = maxGarbageShare
        apiMatcher = PatternMatcher(apiErrorPatterns)
        imageMatcher = PatternMatcher(imagePhrases)
    }

    public static let defaultAPIErrorPatterns = [
        "rate limit", "rate_limit", "ratelimiterror", "error code: 4", "error code: 5", "internal server error",
        "service unavailable", "bad gateway", "gateway timeout", "too many requests", "request timed out",
        "context_length_exceeded", "maximum context length", "overloaded_error", "insufficient_quota",
        "i'm sorry, but i can't", "i'm sorry, but i cannot", "i am sorry, but i cannot", "i’m sorry, but i can’t",
        "i’m sorry, but i cannot", "as an ai language model, i cannot",
    ]

    public static let defaultImagePhrases = [
        "see figure", "see the figure", "see the diagram", "see the image", "in the diagram", "in the figure",
        "in the image", "in the picture", "shown in the figure", "the figure below", "the diagram below",
        "the figure above", "the diagram above", "the picture below", "the image below", "as shown in the graph",
    ]

    static let imageMarkers = ["![", "<img", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"]

    /// The first rule `item` fails, or nil when it passes. `record` supplies fields the item does not decode.
    public func check(_ item: PoolItem, record: RawRecord) -> QualityIssue? {
        for f in requiredFields {
            switch item.field(f) {
            case .some(let v):
                guard let v else { return .missingField(f) }
                if v.allSatisfy(\.isWhitespace) { return f == "thinking" ? .emptyReasoning : .missingField(f) }
            case .none:
                if !record.has(f) || record.isNull(f) { return .missingField(f) }
            }
        }
        let thinking = item.thinking ?? ""
        if item.thinking != nil && thinking.allSatisfy(\.isWhitespace) { return .emptyReasoning }
        if apiMatcher.matches(thinking) { return .apiError }
        if let a = item.attempt, apiMatcher.matches(a) { return .apiError }
        if let q = item.question, TextScan.garbageShare(q) > maxGarbageShare { return .garbageText }
        if TextScan.garbageShare(thinking) > maxGarbageShare { return .garbageText }
        if item.finishReason == "length" || TextScan.looksTruncated(thinking) { return .truncatedReasoning }
        let question = item.question ?? ""
        let hasAsy = QualityRules.asyMatcher.matches(question)
        if hasAsy && !asyAllowedSources.contains(item.source ?? "") { return .asyBlock }
        if QualityRules.markerMatcher.matches(question) { return .imageReference }
        // With an allowed [asy] figure, phrases like "in the diagram" refer to that figure.
        if !hasAsy && imageMatcher.matches(question) { return .imageReference }
        if TextScan.hasBrokenEnumeration(item.question ?? "") { return .brokenEnumeration }
        return nil
    }
}

/// Byte-level text checks used by the quality rules: fast on multi-kilobyte reasoning traces.
enum TextScan {
    /// Share of characters that are replacement characters, control characters (other than tab, line
    /// feed, carriage return) or private-use characters; a run of 4+ replacement characters counts as 1.
    static func garbageShare(_ s: String) -> Double {
        var s = s
        return s.withUTF8 { b -> Double in
            // Works on UTF-8 bytes: U+FFFD is EF BF BD, U+FFF0-FFFF are EF BF B0-BF, C1 controls are
            // C2 80-9F, private use U+E000-F8FF is EE xx xx or EF 80-A3 xx.
            var chars = 0, bad = 0, fffdRun = 0
            let n = b.count
            var i = 0
            while i < n {
                let c = b[i]
                if c < 0x80 {
                    chars += 1; fffdRun = 0
                    if (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) || c == 0x7F { bad += 1 }
                    i += 1
                    continue
                }
                if c & 0xC0 != 0x80 { chars += 1 }
                if c == 0xEF, i + 2 < n, b[i + 1] == 0xBF, b[i + 2] == 0xBD {
                    bad += 1; fffdRun += 1
                    if fffdRun >= 4 { return 1 }
                    i += 3
                    continue
                }
                if c & 0xC0 != 0x80 { fffdRun = 0 }
                if (c == 0xC2 && i + 1 < n && b[i + 1] < 0xA0)
                    || c == 0xEE
                    || (c == 0xEF && i + 1 < n && (b[i + 1] <= 0xA3 || (b[i + 1] == 0xBF && i + 2 < n && b[i + 2] >= 0xB0))) {
                    bad += 1
                }
                i += 1
            }
            return chars == 0 ? 0 : Double(bad) / Double(chars)
        }
    }

    /// Whether a reasoning trace looks cut off: an odd number of ``` fences (a code block left open),
    /// a last character that cannot end a text (`,` `;` `:` `=` `+` `-` `*` `/` `\` `(` `[` `{` `&` `^`
    /// `_`), more unescaped `{` than `}` while the last character is not closing punctuation, or a
    /// last line of six or more words ending in a lowercase letter (a sentence stopped mid-way).
    static func looksTruncated(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { looksTruncated($0) }
    }

    static func looksTruncated(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var end = b.count
        while end > 0, b[end - 1] == 0x20 || b[end - 1] == 0x0A || b[end - 1] == 0x09 || b[end - 1] == 0x0D { end -= 1 }
        guard end > 0 else { return false }
        var fences = 0, open = 0, close = 0
        var i = 0
        while i < end {
            let c = b[i]
            if c == 0x60, i + 2 < end, b[i + 1] == 0x60, b[i + 2] == 0x60 { fences += 1; i += 3; continue }
            if c == 0x5C { i += 2; continue } // backslash escapes the next byte (\{ \} in LaTeX)
            if c == 0x7B { open += 1 } else if c == 0x7D { close += 1 }
            i += 1
        }
        if fences % 2 == 1 { return true }
        let last = b[end - 1]
        let connectors: Set<UInt8> = Set(",;:=+-*/\\([{&^_".utf8)
        if connectors.contains(last) {
            // "**Answer:**" style endings are markdown, not cut-offs.
            if last == 0x2A, end >= 2, b[end - 2] == 0x2A { return false }
            return true
        }
        let closing: Set<UInt8> = Set(".!?)]}$\"'`*".utf8)
        if open > close && !closing.contains(last) { return true }
        // A sentence stopped mid-way: a lowercase word ends a last line of six or more words.
        if last >= 0x61 && last <= 0x7A {
            var start = end - 1
            while start > 0, b[start - 1] != 0x0A { start -= 1 }
            var words = 0, inWord = false
            for k in start..<end {
                if b[k] == 0x20 || b[k] == 0x09 { inWord = false } else if !inWord { inWord = true; words += 1 }
            }
            return words >= 6
        }
        return false
    }

    /// Whether the question's enumeration labels skip one: `(a)` and `(c)` without `(b)`, `(B)` `(C)`
    /// without `(A)`, `(i)` `(iii)` without `(ii)`, or numbered lines `(1)`/`1)` with a gap. Labels count
    /// only after a space, a line start or punctuation, so `f(a)` is not a label. One label alone
    /// proves nothing and passes.
    static func hasBrokenEnumeration(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var lower = Set<Int>(), upper = Set<Int>(), roman = Set<Int>(), numbers = Set<Int>()
        let romans = ["i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10]
        var i = 0
        while i < b.count {
            guard b[i] == 0x28 else { i += 1; continue } // "("
            let prev: UInt8 = i == 0 ? 0x20 : b[i - 1]
            let boundary = prev == 0x20 || prev == 0x0A || prev == 0x09 || prev == 0x2E || prev == 0x3A || prev == 0x3B
                || prev == 0x2C || prev == 0x24 || prev == 0x2A
            var j = i + 1
            while j < b.count, j - i <= 5, b[j] != 0x29 { j += 1 }
            guard boundary, j < b.count, b[j] == 0x29, j > i + 1 else { i += 1; continue }
            let label = b[(i + 1)..<j]
            let text = String(decoding: label, as: UTF8.self)
            if label.count == 1, let c = label.first {
                if c >= 0x61 && c <= 0x68 { lower.insert(Int(c - 0x61)) } // a-h
                else if c >= 0x41 && c <= 0x48 { upper.insert(Int(c - 0x41)) } // A-H
                else if let r = romans[text] { roman.insert(r) }
                else if c >= 0x31 && c <= 0x39, prev == 0x0A || i == 0 { numbers.insert(Int(c - 0x30)) }
            } else if let r = romans[text] {
                roman.insert(r)
            } else if label.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), prev == 0x0A || i == 0, let n = Int(text) {
                numbers.insert(n)
            }
            i = j + 1
        }
        func broken(_ set: Set<Int>, first: Int) -> Bool {
            guard set.count >= 2, let lo = set.min(), let hi = set.max() else { return false }
            return lo != first || hi - lo + 1 != set.count
        }
        return broken(lower, first: 0) || broken(upper, first: 0) || broken(roman, first: 1) || broken(numbers, first: 1)
    }
}

/// Finds any of a set of phrases in a text in one pass, ignoring ASCII case: a bitmap of the phrases'
/// first two bytes filters positions, and only positions that pass are compared in full. Fast enough
/// to scan every reasoning trace of a large pool (one table lookup per byte).
struct PatternMatcher: Sendable {
    private var patterns: [[UInt8]] = []
    private var singleBytes: [Bool] = Array(repeating: false, count: 256)
    private var pairBitmap: [UInt64] = Array(repeating: 0, count: 1024)

    init(_ phrases: [String]) {
        for p in phrases {
            let b = PatternMatcher.fold(Array(p.utf8))
            guard !b.isEmpty else { continue }
            if b.count == 1 { singleBytes[Int(b[0])] = true; continue }
            patterns.append(b)
            let key = Int(b[0]) << 8 | Int(b[1])
            pairBitmap[key >> 6] |= 1 << UInt64(key & 63)
        }
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c &- 0x41 < 26 ? c | 0x20 : c }
    static func fold(_ b: [UInt8]) -> [UInt8] { b.map(lower) }

    func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { matches($0) }
    }

    func matches(_ hay: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = hay.count
        guard n > 0 else { return false }
        var prev = PatternMatcher.lower(hay[0])
        if singleBytes[Int(prev)] { return true }
        var i = 1
        while i < n {
            let c = PatternMatcher.lower(hay[i])
            if singleBytes[Int(c)] { return true }
            let key = Int(prev) << 8 | Int(c)
            if pairBitmap[key >> 6] & (1 << UInt64(key & 63)) != 0 {
                for p in patterns where p[0] == prev && p[1] == c && i - 1 + p.count <= n {
                    var ok = true
                    for k in 2..<p.count where PatternMatcher.lower(hay[i - 1 + k]) != p[k] { ok = false; break }
                    if ok { return true }
                }
            }
            prev = c
            i += 1
        }
        return false
    }
}
