/// Bare lists of answers: `1, 2`, `1; 2`, `1 or 2`, `1 and 2`, `AB=4, CD=5`.
///
/// A bare list is the set of solutions a problem asked for; which separator a model used does not change
/// it. Separators are tried in order (commas, then semicolons, then the words): a comma list whose items
/// contain `or` is a list of commas, not of words.
enum AnswerLists {
    static let orBytes = Array(" or ".utf8), andBytes = Array(" and ".utf8)

    /// The items of a bare list at the top level of `b`, or `[b]` when it is not one.
    static func items(_ b: [UInt8]) -> [String] {
        // `p=5, q=2; p=7, q=2`: semicolons separate solutions whose parts are separated by commas; each
        // solution is then a tuple.
        let semis = b.contains(UInt8(ascii: ";")) ? ParsedAnswer.splitTopLevel(b, separator: ";") : []
        if semis.count > 1 {
            return semis.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
                .map { ParsedAnswer.splitTopLevel(Array($0.utf8), separator: ",").count > 1 ? "(" + $0 + ")" : $0 }
        }
        var items = ParsedAnswer.splitTopLevel(b, separator: ",")
        if items.count == 1, ByteText.contains(orBytes, in: b) || ByteText.contains(andBytes, in: b) {
            items = ParsedAnswer.splitTopLevel(b, separator: " or ").flatMap { ParsedAnswer.splitTopLevel(Array($0.utf8), separator: " and ") }
        }
        let trimmed = items.map { $0.trimmingWhitespace() }
        // A trailing separator (`1, 2,`) or a doubled one leaves empty items: drop them, keep the rest.
        let kept = trimmed.filter { !$0.isEmpty }
        return kept.isEmpty ? [String(decoding: b, as: UTF8.self)] : kept
    }
}
