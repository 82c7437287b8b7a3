/// One calculation line of a worked answer: `a op b = <<a op b=r>>r`. `result` is what the line writes,
/// which a slipping teacher may get wrong; `left` is the amount it started from as the line says it.
public struct SynthWorkLine: Sendable, Hashable {
    public var op: SynthOperation
    public var left: Int
    public var operand: Int
    public var result: Int

    /// `a op b=r`, the inside of the calculator annotation.
    public var annotation: String { "\(left)\(op.symbol)\(operand)=\(result)" }
    /// `a op b = <<a op b=r>>r`, as GSM8K writes a step.
    public var calculation: String { "\(left) \(op.symbol) \(operand) = <<\(annotation)>>\(result)" }
    /// Whether the written result is the operation's true result.
    public var isCorrect: Bool { op.apply(left, operand) == result }
}

/// A worked answer before wording: its calculation lines and the number its `#### N` line gives.
/// The gold work follows the problem exactly; the teacher's wrong ones are the same chain with one change
/// (`derive`'s arguments), carried through the later lines as a real solver would.
public struct SynthWork: Sendable, Hashable {
    public var lines: [SynthWorkLine]
    public var final: Int

    public init(lines: [SynthWorkLine], final: Int) {
        self.lines = lines
        self.final = final
    }

    /// The correct worked answer of `problem`.
    public static func gold(_ problem: SynthProblem) -> SynthWork {
        // The problem's chain is valid by construction, so derive cannot fail; fall back to the values anyway.
        derive(problem) ?? SynthWork(lines: zip(problem.steps.indices, problem.steps).map { i, s in
            SynthWorkLine(op: s.op, left: problem.values[i], operand: s.operand, result: problem.values[i + 1])
        }, final: problem.answer)
    }

    /// The chain of `problem` with at most one change: step `skip` left out, step `replacing.step`
    /// computed with another operand (a number copied wrong), or step `slip.step`'s result written off by
    /// `slip.delta`. Later lines start from what the changed line wrote. Nil when the changed chain stops
    /// being positive whole numbers (a solver would not write a fraction in this family).
    public static func derive(_ problem: SynthProblem, skip: Int? = nil, replacing: (step: Int, operand: Int)? = nil,
                              slip: (step: Int, delta: Int)? = nil) -> SynthWork? {
        var left = problem.start
        var lines: [SynthWorkLine] = []
        lines.reserveCapacity(problem.steps.count)
        for (i, s) in problem.steps.enumerated() {
            if i == skip { continue }
            var b = s.operand
            if let r = replacing, r.step == i { b = r.operand }
            guard var r = s.op.apply(left, b) else { return nil }
            if let sl = slip, sl.step == i {
                let (v, o) = r.addingReportingOverflow(sl.delta)
                guard !o, v > 0 else { return nil }
                r = v
            }
            lines.append(SynthWorkLine(op: s.op, left: left, operand: b, result: r))
            left = r
        }
        return SynthWork(lines: lines, final: left)
    }
}
