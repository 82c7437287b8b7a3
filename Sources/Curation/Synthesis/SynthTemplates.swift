/// The sentences problems and worked answers are written with. Problems are told in the first person by
/// the persona (Persona Hub style: "I am a retired lighthouse keeper ..."), about one kind of item whose
/// amount each step changes; worked answers are GSM8K's: a sentence per step with its `<<a op b=c>>`
/// annotation and a last line `#### N`. Placeholders: `{n}` start amount, `{b}` the step's number,
/// `{items}` the item noun, `{calc}` the step's calculation with its annotation.
public enum SynthTemplates {
    public static let items = [
        "books", "jars of honey", "seed packets", "postcards", "pencils", "apples", "marbles", "stamps",
        "bottles of water", "bags of rice", "spools of thread", "candles", "notebooks", "tomato plants", "photos",
        "tea bags", "screws", "oranges", "cookies", "sheets of paper", "cans of paint", "boxes of tiles",
        "bus tickets", "eggs", "flower bulbs", "stickers", "rolls of tape", "bricks", "coins", "shells",
        "balloons", "cupcakes", "beads", "crayons", "pine cones", "fish hooks", "paper cranes", "bandages",
        "guitar picks", "seedlings",
    ]

    public static let start = [
        "I have {n} {items}.",
        "I start the month with {n} {items}.",
        "There are {n} {items} on my shelf.",
        "My collection begins with {n} {items}.",
    ]

    static let add = [
        "Then I get {b} more {items}.",
        "A friend gives me {b} more {items}.",
        "Later I add another {b} {items}.",
    ]
    static let sub = [
        "Then I give {b} of them away.",
        "I use up {b} of them.",
        "Sadly, {b} of them get damaged and I throw them out.",
    ]
    static let mul = [
        "By the next season I have {b} times as many {items} as before.",
        "Then the number of {items} grows to {b} times what it was.",
        "After a busy week, I end up with {b} times as many.",
    ]
    static let div = [
        "Then I split the {items} into {b} equal groups and keep only one group.",
        "I share them equally among {b} people, myself included, and keep my share.",
        "I divide them into {b} equal boxes and keep just one box.",
    ]

    public static func statement(_ op: SynthOperation) -> [String] {
        switch op {
        case .add: return add
        case .sub: return sub
        case .mul: return mul
        case .div: return div
        }
    }

    public static let question = [
        "How many {items} do I have at the end?",
        "How many {items} are left with me now?",
        "In the end, how many {items} do I have?",
    ]

    /// Every operation has this many worked-answer line variants.
    static let lineVariants = 3
    static func line(_ op: SynthOperation) -> [String] {
        switch op {
        case .add: return ["After getting {b} more, I have {calc} {items}.", "Adding the {b} new ones gives {calc} {items}.", "Now there are {calc} {items}."]
        case .sub: return ["After removing {b}, I have {calc} {items}.", "Taking away {b} leaves {calc} {items}.", "Then {calc} {items} remain."]
        case .mul: return ["{b} times as many is {calc} {items}.", "Multiplying by {b} gives {calc} {items}.", "That makes {calc} {items}."]
        case .div: return ["One of {b} equal shares is {calc} {items}.", "Dividing by {b} gives {calc} {items}.", "Each share holds {calc} {items}."]
        }
    }

    /// The persona's voice: "A retired lighthouse keeper ..." becomes "I am a retired lighthouse keeper ...".
    public static func introduction(_ persona: Persona) -> String {
        var text = persona.text.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(".") { text.removeLast() }
        if text.hasPrefix("A ") || text.hasPrefix("An ") { return "I am " + text.prefix(1).lowercased() + text.dropFirst() + "." }
        return "I am writing as this person: " + text + "."
    }

    static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = template
        for (k, v) in values { out = out.replacingOccurrences(of: "{" + k + "}", with: v) }
        return out
    }

    static func pick(_ list: [String], _ i: Int) -> String { list.isEmpty ? "" : list[((i % list.count) + list.count) % list.count] }

    /// The problem statement.
    public static func question(_ problem: SynthProblem, _ w: SynthWording) -> String {
        var parts: [String] = []
        if let p = w.persona { parts.append(introduction(p)) }
        parts.append(fill(pick(start, w.startVariant), ["n": String(problem.start), "items": w.item]))
        for (i, s) in problem.steps.enumerated() {
            let v = i < w.stepVariants.count ? w.stepVariants[i] : 0
            parts.append(fill(pick(statement(s.op), v), ["b": String(s.operand), "items": w.item]))
        }
        parts.append(fill(pick(question, w.questionVariant), ["items": w.item]))
        return parts.joined(separator: " ")
    }

    /// The worked answer: one line per calculation, `styles[i]` picking line i's variant (the gold answer
    /// uses the wording's style throughout), then `#### N`.
    public static func solution(_ work: SynthWork, _ w: SynthWording, styles: [Int]? = nil) -> String {
        var out = ""
        for (i, l) in work.lines.enumerated() {
            let style = styles.map { i < $0.count ? $0[i] : 0 } ?? w.solutionStyle
            out += fill(pick(line(l.op), style), ["b": String(l.operand), "calc": l.calculation, "items": w.item]) + "\n"
        }
        return out + "#### \(work.final)"
    }
}

import Foundation
