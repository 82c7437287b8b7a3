import Curation
import Foundation

/// How much of a source goes into the mix. The unit is always written out (`fraction: 0.25`,
/// `repeat: 3.0`, `count: 10000`, `tokens: 5_000_000`, `share: 0.6`), so open-instruct's "1" vs "1.0"
/// ambiguity cannot happen (DESIGN.md section 5, mixing).
public enum Amount: Sendable, Equatable, CustomStringConvertible {
    /// This fraction (0...1) of the source's available records.
    case fraction(Double)
    /// `floor(r)` full copies of every record plus a seeded random `r - floor(r)` of the records once more.
    case repeats(Double)
    /// This many records (full copies first when the source has fewer).
    case count(Int)
    /// This many tokens (full copies first when the source has fewer), by the mix's token counter.
    case tokens(Int)
    /// This share of the recipe's `total_tokens`.
    case share(Double)

    public static let unitNames = ["fraction", "repeat", "count", "tokens", "share"]

    public var unit: String {
        switch self {
        case .fraction: return "fraction"
        case .repeats: return "repeat"
        case .count: return "count"
        case .tokens: return "tokens"
        case .share: return "share"
        }
    }
    public var value: Double {
        switch self {
        case .fraction(let v), .repeats(let v), .share(let v): return v
        case .count(let n), .tokens(let n): return Double(n)
        }
    }
    public var description: String {
        switch self {
        case .count(let n), .tokens(let n): return "\(unit) \(n)"
        default: return "\(unit) \(value)"
        }
    }
}

/// Where a source's records come from: files (paths and globs, resolved when the recipe is read) or a
/// named input that the recipe runner supplies (another stage's output).
public enum SourceOrigin: Sendable, Equatable {
    case files([String])
    case input(String)
}

/// One source of a mix: its records, what is kept of them, and how much of them goes into the mix.
public struct MixSource: Sendable {
    public var name: String
    public var origin: SourceOrigin
    /// The schema used to find a record's text (nil: detected per record).
    public var schema: Schema?
    /// The id field (nil: the recognised id fields, then `FILE:LINE`).
    public var idField: String?
    public var predicates: [FieldPredicate]
    public var length: LengthBounds?
    /// The language filter (`{language: [en], min_confidence: 0.65}`), applied after the length bounds.
    public var language: LanguageFilter?
    /// Whether this source takes part in the mix-wide exact dedupe (when the recipe turns it on).
    public var dedupe: Bool
    public var amount: Amount
    /// The recipe line of the entry, for reports and errors.
    public var line: Int
    /// `count_of: INPUT` (run recipes): the amount is `count` of as many records as that input has, known
    /// only when the stage runs, e.g. a random subset the size of what a filter kept (a lab's control).
    /// `binding(inputs:)` resolves it into `amount`.
    public var countOf: String?

    public init(name: String, origin: SourceOrigin, schema: Schema? = nil, idField: String? = nil,
                predicates: [FieldPredicate] = [], length: LengthBounds? = nil, dedupe: Bool = true,
                amount: Amount, line: Int = 0, language: LanguageFilter? = nil) {
        self.name = name; self.origin = origin; self.schema = schema; self.idField = idField
        self.predicates = predicates; self.length = length; self.dedupe = dedupe; self.amount = amount; self.line = line
        self.language = language
    }
}

/// A mix: sources with amounts, an optional token total for `share` amounts, exact dedupe across
/// sources, and the seed every sampling and shuffling decision derives from.
public struct MixRecipe: Sendable {
    public var file: String
    public var seed: UInt64
    public var sources: [MixSource]
    /// Required when any source's amount is a `share`.
    public var totalTokens: Int?
    /// Exact dedupe by the normalised text's hash across all sources (first in source order wins).
    public var dedupe: Bool
    /// Output shard options written in the recipe (the CLI may override them).
    public var prefix: String?
    public var maxRecords: Int?
    public var maxBytes: Int?
    /// `normalize:`: every taken record rewritten to one layout (chat or preference) before it is written.
    public var normalize: RecordNormalizer?

    public init(file: String = "<recipe>", seed: UInt64 = 0, sources: [MixSource], totalTokens: Int? = nil,
                dedupe: Bool = false, prefix: String? = nil, maxRecords: Int? = nil, maxBytes: Int? = nil) {
        self.file = file; self.seed = seed; self.sources = sources; self.totalTokens = totalTokens
        self.dedupe = dedupe; self.prefix = prefix; self.maxRecords = maxRecords; self.maxBytes = maxBytes
    }

    /// The recipe with `input:` sources bound to files. Unbound inputs are an error naming the source.
    public func binding(inputs: [String: [String]]) throws -> MixRecipe {
        var copy = self
        for i in copy.sources.indices {
            if case .input(let name) = copy.sources[i].origin {
                guard let files = inputs[name] else {
                    throw RecipeError(file: file, line: copy.sources[i].line, column: 1,
                                      entry: "sources[\(i)] \"\(copy.sources[i].name)\"", message: "unknown input \"\(name)\"")
                }
                copy.sources[i].origin = .files(files)
            }
        }
        for i in copy.sources.indices {
            guard let ref = copy.sources[i].countOf else { continue }
            guard let files = inputs[ref] else {
                throw RecipeError(file: file, line: copy.sources[i].line, column: 1,
                                  entry: "sources[\(i)] \"\(copy.sources[i].name)\"", message: "count_of: unknown input \"\(ref)\"")
            }
            var n = 0
            try RecordReader(files: files).forEachBatch { n += $0.lines.count }
            copy.sources[i].amount = .count(n)
            copy.sources[i].countOf = nil
        }
        return copy
    }
}
