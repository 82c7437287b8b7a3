import Foundation

/// A recipe that cannot be used: names the file, the line and column of the offending node, and the
/// entry it belongs to (`sources[2] "web"`, `stages[1] "mix"`), so the user can go straight to it.
public struct RecipeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem has no place in the file (an empty recipe).
    public var line: Int
    public var column: Int
    /// The entry the problem is in, e.g. `sources[1] "web"`; empty for the recipe as a whole.
    public var entry: String
    public var message: String

    public init(file: String, line: Int, column: Int, entry: String, message: String) {
        self.file = file; self.line = line; self.column = column; self.entry = entry; self.message = message
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line):\(column)" : file
        return entry.isEmpty ? "\(place): \(message)" : "\(place): \(entry): \(message)"
    }
}
