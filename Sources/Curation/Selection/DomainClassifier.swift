import Foundation

/// Assigns a domain to a problem statement for s1's diversity stage (DESIGN.md section 5): top-level
/// Mathematics Subject Classification codes commonly met in s1's pool, plus `code`, `science` and
/// `other`. A naive Bayes model over a labelled set; the built-in one is trained on the project's own
/// set (Fixtures/select/domains-train.jsonl, embedded in the library) and measured on a held-out set
/// (Fixtures/select/domains-heldout.jsonl, which includes hand-labelled MATH500 questions).
public struct DomainClassifier: Sendable {
    public let model: NaiveBayesClassifier
    /// Where the model came from, for reports ("built-in" or a file name).
    public let origin: String
    /// Accuracy on a held-out labelled set, when one was given.
    public let heldOut: ClassifierAccuracy?

    public init(model: NaiveBayesClassifier, origin: String, heldOut: ClassifierAccuracy?) {
        self.model = model; self.origin = origin; self.heldOut = heldOut
    }

    /// The domains the classifier can assign, sorted.
    public var domains: [String] { model.labels }

    public func classify(_ text: String) -> String { model.classify(text) }

    /// The classifier trained on the project's labelled set, with its held-out accuracy.
    public static let builtIn: DomainClassifier = {
        // The embedded text is generated from our own fixture files; a failure here would be a build
        // defect caught by the tests, so fall back to a trivial model instead of trapping.
        let train = (try? examples(jsonl: DomainTrainingData.train, name: "built-in training set")) ?? []
        let held = (try? examples(jsonl: DomainTrainingData.heldOut, name: "built-in held-out set")) ?? []
        let model = (try? NaiveBayesClassifier(examples: train))
            ?? NaiveBayesClassifier(validated: [.init(text: "", label: "other")], alpha: 0.1, useBigrams: false, normalizer: TextNormalizer())
        return DomainClassifier(model: model, origin: "built-in", heldOut: model.evaluate(held))
    }()

    /// The built-in labelled sets as examples (for tests and for users who extend them).
    public static func builtInExamples() throws -> (train: [NaiveBayesClassifier.Example], heldOut: [NaiveBayesClassifier.Example]) {
        (try examples(jsonl: DomainTrainingData.train, name: "built-in training set"),
         try examples(jsonl: DomainTrainingData.heldOut, name: "built-in held-out set"))
    }

    /// Trains on labelled JSONL files (`{"text" or "question", "domain"}` per line), measuring on
    /// `heldOut` files when given.
    public static func train(files: [String], heldOut: [String] = []) throws -> DomainClassifier {
        let model = try NaiveBayesClassifier(examples: try examples(files: files))
        let acc = heldOut.isEmpty ? nil : model.evaluate(try examples(files: heldOut))
        return DomainClassifier(model: model, origin: files.map { ($0 as NSString).lastPathComponent }.joined(separator: ","), heldOut: acc)
    }

    /// Reads labelled examples from JSONL files; every line must have a text and a domain.
    public static func examples(files: [String]) throws -> [NaiveBayesClassifier.Example] {
        var out: [NaiveBayesClassifier.Example] = []
        try RecordReader(files: files).forEach { out.append(try example($0)) }
        if out.isEmpty { throw CurationError.invalidArgument("no labelled examples in \(files.joined(separator: ", "))") }
        return out
    }

    static func examples(jsonl: String, name: String) throws -> [NaiveBayesClassifier.Example] {
        var out: [NaiveBayesClassifier.Example] = []
        for (i, line) in jsonl.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let r = try RawRecord(bytes: Array(line.utf8), location: SourceLocation(file: name, line: i + 1, offset: 0))
            out.append(try example(r))
        }
        return out
    }

    static func example(_ r: RawRecord) throws -> NaiveBayesClassifier.Example {
        guard let text = try r.string("text") ?? r.string("question") else { throw r.missing("text") }
        let domain = try r.requiredString("domain")
        guard !domain.isEmpty else { throw CurationError.badRecord(r.location, reason: "empty \"domain\"") }
        return .init(text: text, label: domain)
    }
}
