import Foundation

/// One fuzz target: a parser fed arbitrary bytes. `run` must return normally for every input (a thrown,
/// typed error is a normal outcome); a trap, a hang or runaway memory is what the fuzzer reports.
protocol FuzzTarget {
    /// The name `CURATE_FUZZ_TARGET` selects and the corpus folder `Fuzz/Corpus/<name>` holds seeds for.
    static var name: String { get }
    static func run(_ bytes: UnsafeRawBufferPointer)
}

/// Every target this build hosts, in the order scripts/fuzz.sh runs them.
var allFuzzTargets: [any FuzzTarget.Type] {
    let targets: [any FuzzTarget.Type] = [
        JSONTarget.self, AnswerTarget.self, RecipeTarget.self, GGUFTarget.self,
        SafetensorsTarget.self, TokenizerTarget.self, HTTPRequestTarget.self, LanguageIDTarget.self, ParquetTarget.self,
    ]
    return targets
}

/// A broken invariant (not a crash in the code under test, but a wrong result): abort so libFuzzer
/// saves the input as a crash reproducer.
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
               file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        FileHandle.standardError.write(Data("invariant broken at \(file):\(line): \(message())\n".utf8))
        abort()
    }
}

/// A scratch directory private to this fuzzing process, for the targets whose API reads files. In
/// /dev/shm when there is one: a file per input on a busy disk would cap the run at a few inputs a second.
let fuzzScratchDirectory: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm/" : NSTemporaryDirectory()
    let dir = base + "curate-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: fuzzScratchDirectory) }
    return dir
}()

/// Writes `bytes` to `name` inside the scratch directory and returns the path.
func scratchFile(_ name: String, _ bytes: UnsafeRawBufferPointer) -> String {
    let path = fuzzScratchDirectory + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}
