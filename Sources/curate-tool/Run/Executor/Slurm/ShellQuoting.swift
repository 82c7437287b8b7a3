import Foundation

/// POSIX shell quoting for the command lines the batch scripts run and for command lines in error messages.
/// A word of only safe characters stays bare (readable scripts); anything else is single-quoted, with each
/// `'` written as `'\''`, which no shell expands. NUL cannot be passed in an argument at all, so it is refused.
public enum ShellQuoting {
    static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%")

    /// One word, quoted for `sh`.
    public static func quote(_ word: String) throws -> String {
        guard !word.contains("\u{0}") else { throw SlurmError.invalidArgument("a command-line argument contains a NUL byte") }
        return quoteUnchecked(word)
    }

    /// A command line: the words quoted and joined by spaces.
    public static func join(_ words: [String]) throws -> String { try words.map(quote).joined(separator: " ") }

    /// For messages only (a NUL is shown as-is rather than refused).
    static func display(_ words: [String]) -> String { words.map(quoteUnchecked).joined(separator: " ") }

    static func quoteUnchecked(_ word: String) -> String {
        if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
