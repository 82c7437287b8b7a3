/// The built-in templates, identical to the editable copies in Fixtures/persona/templates (a test keeps
/// them in step), so `curate-tool persona` works without the files.
enum DefaultTemplates {
    static func text(_ name: TemplateName) -> String {
        switch name {
        case .math: return math
        case .mathSolution: return mathSolution
        case .gradeMath: return gradeMath
        case .gradeMathSolution: return gradeMathSolution
        case .code: return code
        case .codeSolution: return codeSolution
        case .instructionFollowing: return instructionFollowing
        case .instructionPrompt: return instructionPrompt
        case .instructionRewrite: return instructionRewrite
        }
    }

    static let math = #"""
Create one new math problem that the following persona might pose or need to solve.

Persona: {persona}

Requirements:
- The problem is challenging (advanced high school or early university level) and is set in the persona's own work, place or interests, in their voice.
- It has at most two sub-problems, and each sub-problem has a single exact final answer.
- Write only the problem: no solution, no hints and no answer.
"""#

    static let mathSolution = #"""
{task}

Solve the problem step by step, then end with exactly this line, with your final answer in place of ANSWER (for two sub-problems, give both answers separated by a comma):
Final Answer: The final answer is $ANSWER$. I hope it is correct.
"""#

    static let gradeMath = #"""
Create one new grade-school math word problem that the following persona might write or need to solve.

Persona: {persona}

Requirements:
- Solving it takes between two and eight steps of basic arithmetic (addition, subtraction, multiplication and division).
- Its answer is a single whole number.
- It is told in the persona's voice and set in their daily life.
- Write only the problem: no solution and no answer.
"""#

    static let gradeMathSolution = #"""
{task}

Solve the problem step by step, showing each calculation. Finish with a last line of the form "#### N", where N is the final numeric answer without units.
"""#

    static let code = #"""
Write one new programming question that the following persona might post on StackOverflow.

Persona: {persona}

Requirements:
- The question asks for a Python function that solves a concrete problem from the persona's work or interests.
- It says what the function takes as input and what it should return, with a short example.
- It reads like a StackOverflow question in the persona's voice: a title line, then the body.
- Write only the question: no answer and no solution code.
"""#

    static let codeSolution = #"""
{task}

Answer as an expert would on StackOverflow: a short explanation, then the complete Python function in a ```python code block.
"""#

    static let instructionFollowing = #"""
Write one new request that the following persona might send to an AI assistant.

Persona: {persona}

The answer to the request will have to follow these constraints:
{constraints}

Requirements:
- The request is specific to the persona and can be answered in a few paragraphs of prose.
- It can be answered while following every constraint above. The constraints will be appended to your request word for word, so do not repeat them.
- Write only the request, in the persona's voice: no answer.
"""#

    static let instructionPrompt = #"""
{task}

{constraints}
"""#

    static let instructionRewrite = #"""
{task}

{constraints}
"""#
}
