import Curation
import Yams

/// The recipe syntax of one field filter (`{field: synth.planted_kind, in: [verbatim, recased]}`), for
/// readers outside the mix recipe (an ablation lab's metric `where:`) so every file that filters
/// records by a field writes it the same way and gets the same errors.
public enum FieldFilterSyntax {
    /// Parses a field filter mapping; a length-bound filter (`min_tokens`, ...) is an error here.
    public static func predicate(_ doc: YAMLDocument, _ node: Node, entry: String) throws -> FieldPredicate {
        let (predicate, _) = try MixRecipe.parseFilter(doc, node, entry: entry)
        guard let predicate else { throw doc.error(node, entry, "expected a field filter ({field: NAME, equals|in|present|min|max: ...})") }
        return predicate
    }
}
