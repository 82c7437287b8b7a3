import ArgumentParser
import Curation

/// The answer-comparison flags math-verify users know (`float_rounding`, `strict`,
/// `allow_set_relation_comp`), shared by the subcommands that verify answers.
struct AnswerFlags: ParsableArguments {
    @Option(name: .long, help: "Decimal places at which a decimal written to that many places matches an exact value (0.0833333 = 1/12 at 6); -1 for exact only.")
    var floatRounding: Int = 6

    @Flag(name: .long, help: "Let a gold set or interval (x \\in [-2,7]) match a relation (-2 \\le x \\le 7); a gold relation always matches its set.")
    var allowSetRelation = false

    @Flag(name: .long, inversion: .prefixedNo, help: "Keep the gold's form (tuples ordered, variable names significant); --no-strict relaxes it.")
    var strict = true

    var options: AnswerOptions {
        AnswerOptions(floatRounding: floatRounding < 0 ? nil : floatRounding, allowSetRelation: allowSetRelation, strict: strict)
    }
}
