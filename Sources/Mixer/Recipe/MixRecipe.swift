import Curation
import Foundation
import Yams

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
    /// The rest of `output:`: the shards' format and compression (nil: the writer's defaults, or the CLI's).
    public var output = MixOutputFormat()
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

/// A mix recipe's `output:` format keys: `format` (jsonl, parquet), `compression` and `level` (JSONL shards;
/// `level` is also Parquet's zstd level), `parquet_compression`, `row_group_size`, `json_columns`. Unset keys
/// leave the writer's options as they are.
public struct MixOutputFormat: Sendable, Equatable {
    public var format: OutputFormat?
    public var compression: Compression?
    public var level: Int?
    public var parquetCodec: ParquetWriteOptions.Codec?
    public var rowGroupRows: Int?
    public var jsonColumns: [String]?

    public init() {}

    public static let keys: Set<String> = ["format", "compression", "level", "parquet_compression", "row_group_size", "json_columns"]

    /// Reads one of `keys` from a recipe (a mix's `output:`, or a stage's settings); false for any other key.
    public mutating func read(_ key: String, _ v: Node, _ doc: YAMLDocument, _ entry: String) throws -> Bool {
        switch key {
        case "format":
            guard let f = OutputFormat(rawValue: try doc.string(v, entry)) else { throw doc.error(v, entry, "format should be jsonl or parquet") }
            format = f
        case "compression":
            guard let c = Compression(rawValue: try doc.string(v, entry)) else { throw doc.error(v, entry, "compression should be zstd, gzip or none") }
            compression = c
        case "level": level = try doc.integer(v, entry, what: "level", in: 1...22)
        case "parquet_compression":
            guard let c = ParquetWriteOptions.Codec(rawValue: try doc.string(v, entry)) else {
                throw doc.error(v, entry, "parquet_compression should be zstd, snappy or none")
            }
            parquetCodec = c
        case "row_group_size": rowGroupRows = try doc.integer(v, entry, what: "row_group_size", in: 1...100_000_000)
        case "json_columns": jsonColumns = try doc.sequence(v, entry).map { try doc.string($0, entry) }
        default: return false
        }
        return true
    }

    /// The keys set, for a stage's settings (and so its fingerprint); empty when none is.
    public var settings: [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        if let format { out.append(("format", .string(format.rawValue))) }
        if let compression { out.append(("compression", .string(compression.rawValue))) }
        if let level { out.append(("level", .int(level))) }
        if let parquetCodec { out.append(("parquet_compression", .string(parquetCodec.rawValue))) }
        if let rowGroupRows { out.append(("row_group_size", .int(rowGroupRows))) }
        if let jsonColumns { out.append(("json_columns", .array(jsonColumns.map { .string($0) }))) }
        return out
    }

    /// A stage's settings with the keys set added (unchanged when none is, so older recipes keep their fingerprints).
    public func settingsAdded(to base: JSONValue) -> JSONValue {
        guard case .object(var o) = base else { return base }
        for (k, v) in settings { o[k] = v }
        return .object(o)
    }

    /// `options` with the keys the recipe sets applied.
    public func applied(to options: ShardOptions) -> ShardOptions {
        var o = options
        if let format { o.format = format }
        if let compression { o.compression = compression }
        if let level { o.level = level }
        if let parquetCodec { o.parquet.codec = parquetCodec }
        if let rowGroupRows { o.parquet.rowGroupRows = rowGroupRows }
        if let jsonColumns { o.parquet.jsonColumns = jsonColumns }
        return o
    }
}
