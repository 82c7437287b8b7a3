import Foundation

/// The target picked by `CURATE_FUZZ_TARGET`, resolved once in `LLVMFuzzerInitialize`.
nonisolated(unsafe) var selectedTarget: (any FuzzTarget.Type)?

/// libFuzzer calls this once before fuzzing: pick the target or exit with the list of names.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    let names = allFuzzTargets.map { $0.name }
    let wanted = ProcessInfo.processInfo.environment["CURATE_FUZZ_TARGET"] ?? ""
    if wanted == "list" {  // scripts/fuzz.sh asks which targets this build hosts
        print(names.joined(separator: "\n"))
        exit(0)
    }
    guard let target = allFuzzTargets.first(where: { $0.name == wanted }) else {
        let message = "curate-fuzz: set CURATE_FUZZ_TARGET to one of: \(names.joined(separator: " "))"
            + (wanted.isEmpty ? "" : " (not \"\(wanted)\")") + "\n"
        FileHandle.standardError.write(Data(message.utf8))
        exit(2)
    }
    selectedTarget = target
    return 0
}

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    selectedTarget?.run(bytes)
    return 0
}
