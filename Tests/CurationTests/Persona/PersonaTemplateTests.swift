import Curation
import Foundation
import Testing

@Suite struct PersonaTemplateTests {
    static let holes = ["{persona}", "{task}", "{constraints}"]

    @Test func everySkillRendersWithEveryPersona() throws {
        let personas = try personaFixture()
        for skill in PersonaSkill.allCases {
            let synthesis = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: skill, count: 1))
            for persona in personas {
                let s = try synthesis.synthesisPrompt(for: .init(persona: persona, round: 0))
                #expect(s.prompt.contains(persona.text))
                for h in Self.holes { #expect(!s.prompt.contains(h), "\(skill) \(persona.id): unfilled \(h)") }
                #expect((s.constraints != nil) == (skill == .instructionFollowing))
                let task = "Task written by \(persona.text)"
                let solutionPrompt: String
                if let c = s.constraints {
                    for d in c.descriptions { #expect(s.prompt.contains("- " + d)) }
                    solutionPrompt = try synthesis.instructionPrompt(task: task, descriptions: c.descriptions, persona: persona.text)
                    for d in c.descriptions { #expect(solutionPrompt.contains(d)) }
                } else {
                    solutionPrompt = try PersonaTemplates.defaults[skill.solutionTemplate].render(["task": task])
                }
                #expect(solutionPrompt.hasPrefix(task))
                for h in Self.holes { #expect(!solutionPrompt.contains(h)) }
            }
        }
    }

    @Test func shippedFilesMatchBuiltIns() throws {
        let (templates, replaced) = try PersonaTemplates.load(directory: FixturePath.path("persona/templates"))
        #expect(Set(replaced) == Set(TemplateName.allCases), "every template has an editable file")
        for name in TemplateName.allCases {
            #expect(templates[name].text == PersonaTemplates.defaultText(name), "\(name.fileName) differs from the built-in text")
            #expect(PersonaTemplates.defaults[name].origin == "built-in \(name.rawValue)", "built-in \(name) must parse")
        }
        #expect(PersonaTemplates.defaultText(.gradeMathSolution).contains("#### N"))
        #expect(PersonaTemplates.defaultText(.math).contains("at most two sub-problems"))
        #expect(PersonaTemplates.defaultText(.code).contains("Python function"))
    }

    @Test func renderingFailsClearlyOnHoles() throws {
        let t = try PromptTemplate(text: "Hi {persona}, solve {task}. Literal {{braces}} and {not a name}.", origin: "t.txt",
                                   allowed: ["persona", "task"], required: ["persona"])
        #expect(t.placeholders == ["persona", "task"])
        #expect(throws: PersonaError.unfilledPlaceholder(template: "t.txt", placeholder: "task")) { try t.render(["persona": "P"]) }
        #expect(try t.render(["persona": "{task}", "task": "T"]) == "Hi {task}, solve T. Literal {braces} and {not a name}.")
        #expect(throws: PersonaError.unknownPlaceholder(template: "u.txt", placeholder: "persnoa")) {
            _ = try PromptTemplate(text: "Hi {persnoa}", origin: "u.txt", allowed: ["persona"], required: [])
        }
        #expect(throws: PersonaError.missingPlaceholder(template: "m.txt", placeholder: "persona")) {
            _ = try PromptTemplate(text: "Hi", origin: "m.txt", allowed: ["persona"], required: ["persona"])
        }
    }

    @Test func editedTemplateFilesReplaceBuiltInsAndAreChecked() throws {
        let dir = temporaryDirectory("templates")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "Write a riddle as {persona}.\n".write(toFile: dir + "/math.txt", atomically: true, encoding: .utf8)
        let (t, replaced) = try PersonaTemplates.load(directory: dir)
        #expect(replaced == [.math])
        #expect(try t[.math].render(["persona": "a baker"]) == "Write a riddle as a baker.")
        #expect(t[.code].text == PersonaTemplates.defaultText(.code))
        try "Write a riddle.\n".write(toFile: dir + "/code.txt", atomically: true, encoding: .utf8)
        #expect(throws: PersonaError.missingPlaceholder(template: dir + "/code.txt", placeholder: "persona")) {
            _ = try PersonaTemplates.load(directory: dir)
        }
    }

    @Test func pythonFunctionDetection() {
        let fenced = "Use this:\n```python\ndef total(xs):\n    \"\"\"Sum.\"\"\"\n    return sum(xs)\n```\nDone."
        #expect(PythonFunction.first(in: fenced)?.name == "total")
        #expect(PythonFunction.first(in: "def f(a,\n      b):\n    return a + b")?.name == "f")
        #expect(PythonFunction.first(in: "```python\ndef f():\n    pass\n```") == nil)
        #expect(PythonFunction.first(in: "```python\ndef f():\n    \"\"\"Only a\n    docstring.\"\"\"\n    # and a comment\n```") == nil)
        #expect(PythonFunction.first(in: "You could define a function that sums the list.") == nil)
        #expect(PythonFunction.first(in: "```\nclass A:\n    def go(self):\n        return 1\n```")?.name == "go")
        #expect(PythonFunction.first(in: "```js\nfunction f() { return 1 }\n```") == nil)
    }

    @Test func taskCleaning() {
        #expect(TaskText.clean("  User instruction: Plan a trip.\n") == "Plan a trip.")
        #expect(TaskText.clean("**Problem:** Find x.") == "Find x.")
        #expect(TaskText.clean("\"Write a poem.\"") == "Write a poem.")
        #expect(TaskText.clean("  \n ") == "")
    }
}
