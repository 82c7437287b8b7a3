import Curation
import Foundation

/// Helpers shared by the synthesis suites.
enum SynthCheck {
    /// Every `<<expr=result>>` annotation in `text`, split into (left, op, right, result, written after).
    struct Annotation { var left: Int; var op: String; var right: Int; var result: Int; var after: Int? }

    static func annotations(_ text: String) -> [Annotation] {
        var out: [Annotation] = []
        var rest = Substring(text)
        while let open = rest.range(of: "<<"), let close = rest.range(of: ">>", range: open.upperBound..<rest.endIndex) {
            let inside = rest[open.upperBound..<close.lowerBound]
            let after = rest[close.upperBound...].prefix { $0.isNumber }
            rest = rest[close.upperBound...]
            guard let eq = inside.firstIndex(of: "=") else { continue }
            let expr = inside[..<eq]
            guard let result = Int(inside[inside.index(after: eq)...]),
                  let opIndex = expr.dropFirst().firstIndex(where: { "+-*/".contains($0) }),
                  let left = Int(expr[..<opIndex]), let right = Int(expr[expr.index(after: opIndex)...]) else { continue }
            out.append(Annotation(left: left, op: String(expr[opIndex]), right: right, result: result, after: Int(after)))
        }
        return out
    }

    static func evaluate(_ a: Annotation) -> Int? {
        switch a.op {
        case "+": return a.left + a.right
        case "-": return a.left - a.right
        case "*": return a.left * a.right
        case "/": return a.right != 0 && a.left % a.right == 0 ? a.left / a.right : nil
        default: return nil
        }
    }

    /// The number on the `#### N` line.
    static func finalLine(_ text: String) -> Int? {
        guard let line = text.split(separator: "\n").last, line.hasPrefix("#### ") else { return nil }
        return Int(line.dropFirst(5))
    }

    static let personas: [Persona] = (try? PersonaLoader.load(path: FixturePath.path("persona/personas.jsonl"))) ?? []

    /// Runs the synthesizer and collects each output's records as JSON lines.
    static func run(_ options: SynthOptions, threads: Int = 2, personas: [Persona] = SynthCheck.personas) throws -> ([SynthOutput: [String]], StageReport) {
        var out: [SynthOutput: [String]] = [:]
        let s = try Synthesizer(options: options, personas: personas)
        let rep = try s.run(threads: threads) { o, v in out[o, default: []].append(JSONWriter.string(v)) }
        return (out, rep)
    }
}
