import Foundation

/// A compiled regular expression with the few operations the checkers need, in Python `re` terms
/// (findall, sub, split), so that checkers can follow the reference implementations' patterns closely.
/// NSRegularExpression is documented as safe to use from several threads once built.
struct Pattern: @unchecked Sendable {
    let re: NSRegularExpression

    /// For patterns written in this source file; a typo is a programming error caught by the tests.
    init(_ pattern: String, _ options: NSRegularExpression.Options = []) {
        do { re = try NSRegularExpression(pattern: pattern, options: options) } catch {
            preconditionFailure("invalid built-in pattern \(pattern): \(error)")
        }
    }

    /// For patterns built from kwargs: a bad one is a kwargs error.
    init(checked pattern: String, id: String, _ options: NSRegularExpression.Options = []) throws {
        do { re = try NSRegularExpression(pattern: pattern, options: options) } catch {
            throw ConstraintError.invalidKwargs(id: id, reason: "cannot build a pattern from the kwargs: \(error)")
        }
    }

    static func escape(_ s: String) -> String { NSRegularExpression.escapedPattern(for: s) }

    private func results(_ s: String) -> [NSTextCheckingResult] {
        re.matches(in: s, options: [], range: NSRange(s.startIndex..., in: s))
    }

    /// The matched substrings (Python `re.findall` without groups).
    func findAll(_ s: String) -> [String] {
        results(s).compactMap { Range($0.range, in: s).map { String(s[$0]) } }
    }

    func count(_ s: String) -> Int { re.numberOfMatches(in: s, options: [], range: NSRange(s.startIndex..., in: s)) }

    func contains(_ s: String) -> Bool { re.firstMatch(in: s, options: [], range: NSRange(s.startIndex..., in: s)) != nil }

    /// Python `re.match`: a match starting at the beginning.
    func matchesPrefix(_ s: String) -> Bool {
        re.firstMatch(in: s, options: [.anchored], range: NSRange(s.startIndex..., in: s)) != nil
    }

    /// Python `re.sub` with `$1`-style templates.
    func replace(_ s: String, with template: String) -> String {
        re.stringByReplacingMatches(in: s, options: [], range: NSRange(s.startIndex..., in: s), withTemplate: template)
    }

    /// Python `re.split` for patterns without groups.
    func split(_ s: String) -> [String] {
        var pieces: [String] = []
        var last = s.startIndex
        for m in results(s) {
            guard let r = Range(m.range, in: s) else { continue }
            pieces.append(String(s[last..<r.lowerBound]))
            last = r.upperBound
        }
        pieces.append(String(s[last...]))
        return pieces
    }
}
