import ArgumentParser
import Curation
import Decontam
import Foundation

/// `curate-tool decontam index|scan|merge-reports`: n-gram decontamination against eval sets (issue 3).
struct Decontaminate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decontam",
        abstract: "Find and remove training records that overlap eval sets (n-gram decontamination).",
        discussion: """
            Text is normalised (lowercase, punctuation and symbols to spaces, whitespace collapsed; one token per \
            character for Chinese, Japanese, Thai and the like), cut into word n-grams hashed with XXH3-64. A train \
            record is contaminated when it holds at least --threshold of an eval instance's distinct n-grams \
            (Tulu-3-style, default 0.5 with n = 8), or any one with --any (s1, datatrove).
            """,
        subcommands: [DecontamIndexCommand.self, DecontamScanCommand.self, DecontamMergeReportsCommand.self]
    )
}

/// Parses `a,b,c` lists.
func commaList(_ s: String?) -> [String]? {
    guard let s else { return nil }
    let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    return parts.isEmpty ? nil : parts
}

/// Runs a library call, turning its typed errors into a clean CLI failure.
func runStage<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CurationError {
        Console.error(e.description)
        throw ExitCode.failure
    }
}

let toolVersion = "curate-tool \(CurateTool.configuration.version)"
