import Foundation

/// The templates of persona synthesis, by file name (`NAME.txt` in a templates directory).
public enum TemplateName: String, Sendable, CaseIterable, Hashable {
    case math
    case mathSolution = "math-solution"
    case gradeMath = "grade-math"
    case gradeMathSolution = "grade-math-solution"
    case code
    case codeSolution = "code-solution"
    case instructionFollowing = "if"
    case instructionPrompt = "if-prompt"
    case instructionRewrite = "if-rewrite"

    public var fileName: String { rawValue + ".txt" }

    /// Placeholders the template must contain.
    public var required: [String] {
        switch self {
        case .math, .gradeMath, .code: return ["persona"]
        case .instructionFollowing: return ["persona", "constraints"]
        case .mathSolution, .gradeMathSolution, .codeSolution: return ["task"]
        case .instructionPrompt, .instructionRewrite: return ["task", "constraints"]
        }
    }

    /// Placeholders the template may contain.
    public var allowed: Set<String> {
        switch self {
        case .math, .gradeMath, .code, .instructionFollowing: return Set(required)
        case .mathSolution, .gradeMathSolution, .codeSolution: return ["task", "persona"]
        case .instructionPrompt, .instructionRewrite: return ["task", "constraints", "persona"]
        }
    }
}

/// A complete set of templates: the built-in defaults, any of which a templates directory can replace.
public struct PersonaTemplates: Sendable {
    public private(set) var templates: [TemplateName: PromptTemplate]

    /// The built-in templates (the same texts as Fixtures/persona/templates).
    public static let defaults: PersonaTemplates = {
        var t: [TemplateName: PromptTemplate] = [:]
        for name in TemplateName.allCases {
            // The built-in texts are checked by the tests; a failure here is a bug in this file's twin.
            t[name] = try? PromptTemplate(text: DefaultTemplates.text(name), origin: "built-in \(name.rawValue)",
                                          allowed: name.allowed, required: name.required)
        }
        return PersonaTemplates(templates: t)
    }()

    /// The built-in text of a template.
    public static func defaultText(_ name: TemplateName) -> String { DefaultTemplates.text(name) }

    public subscript(name: TemplateName) -> PromptTemplate {
        if let t = templates[name] { return t }
        // Only reachable if a built-in text failed to parse, which the tests rule out.
        return PromptTemplate(unchecked: DefaultTemplates.text(name), origin: "built-in \(name.rawValue)")
    }

    /// Replaces one template with `text` (checked for its placeholders).
    public mutating func set(_ name: TemplateName, text: String, origin: String) throws {
        templates[name] = try PromptTemplate(text: text, origin: origin, allowed: name.allowed, required: name.required)
    }

    /// The defaults with every `NAME.txt` found in `directory` replacing its built-in. One final newline
    /// of a file is dropped (editors add it). Returns the names that were replaced too, for reports.
    public static func load(directory: String) throws -> (templates: PersonaTemplates, replaced: [TemplateName]) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw PersonaError.unreadableTemplate(path: directory, reason: "not a directory")
        }
        var t = defaults
        var replaced: [TemplateName] = []
        for name in TemplateName.allCases {
            let path = (directory as NSString).appendingPathComponent(name.fileName)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PersonaError.unreadableTemplate(path: path, reason: "cannot read the file")
            }
            guard var text = String(data: data, encoding: .utf8) else {
                throw PersonaError.unreadableTemplate(path: path, reason: "not UTF-8 text")
            }
            if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
            try t.set(name, text: text, origin: path)
            replaced.append(name)
        }
        return (t, replaced)
    }
}

extension PromptTemplate {
    /// A template taken as is (no placeholder checks), for the unreachable fallback above.
    init(unchecked text: String, origin: String) {
        self.origin = origin
        self.text = text
        self.segments = Self.parse(text)
        var names: [String] = []
        for case .placeholder(let n) in segments where !names.contains(n) { names.append(n) }
        self.placeholders = names
    }
}
