/// Errors of persona synthesis: templates that cannot render and settings that cannot work. Bad persona
/// files are reported as `CurationError.badRecord` (file, line, reason) like every other input.
public enum PersonaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A template placeholder has no value (the template names the file or built-in default).
    case unfilledPlaceholder(template: String, placeholder: String)
    /// A template lacks a placeholder its skill needs (e.g. a task template without `{persona}`).
    case missingPlaceholder(template: String, placeholder: String)
    /// A `{...}` in a template is not a known placeholder of that template.
    case unknownPlaceholder(template: String, placeholder: String)
    /// A template file could not be read.
    case unreadableTemplate(path: String, reason: String)
    /// No persona to synthesise from (an empty file, or everything deduplicated away).
    case noPersonas(String)
    /// The generator answered a batch with the wrong number of results.
    case generatorMismatch(expected: Int, got: Int, generator: String)

    public var description: String {
        switch self {
        case .unfilledPlaceholder(let t, let p): return "template \(t): placeholder {\(p)} has no value"
        case .missingPlaceholder(let t, let p): return "template \(t): must contain the placeholder {\(p)}"
        case .unknownPlaceholder(let t, let p):
            return "template \(t): unknown placeholder {\(p)} (write literal braces as {{ and }})"
        case .unreadableTemplate(let path, let r): return "\(path): cannot read template: \(r)"
        case .noPersonas(let why): return "no personas: \(why)"
        case .generatorMismatch(let e, let g, let name):
            return "generator \(name) returned \(g) results for \(e) requests"
        }
    }
}
