import CPlatform
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS, loaded at first use after choosing its kernels for this CPU.
///
/// Linking OpenBLAS would let it initialise before `main` and pick its kernels from its own CPU table
/// (generic ones on a CPU newer than the library). Loading it with `dlopen` the first time a product is
/// needed lets us set `OPENBLAS_CORETYPE` first (`OpenBLASCoreTypeChoice`), unless the user set it.
/// The environment is restored right after loading, so child processes see what the user set.
///
/// `CURATE_BLAS_LIBRARY` names the library file to load instead of the usual ones.
public enum BLASRuntime {
    /// What was loaded and which kernels it runs.
    public struct Info: Sendable, Equatable {
        /// The file loaded.
        public var libraryPath: String
        /// `openblas_get_config()`: version, build options, the kernels' name.
        public var config: String
        /// `openblas_get_corename()`: the kernels in use (e.g. "Haswell", "SkylakeX", "Zen").
        public var kernels: String
        /// What we asked for, and why.
        public var choice: OpenBLASCoreTypeChoice

        /// True when the kernels are the generic pre-AVX ones.
        public var isGeneric: Bool { OpenBLASCoreTypeChoice.genericCoreTypes.contains(kernels.lowercased()) }
    }

    typealias SgemmFunction = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                               UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias SetThreadsFunction = @convention(c) (Int32) -> Void
    typealias StringFunction = @convention(c) () -> UnsafeMutablePointer<CChar>?

    @usableFromInline
    struct Library: @unchecked Sendable {
        let sgemm: SgemmFunction
        let setThreads: SetThreadsFunction?
        let info: Info
    }

    /// The library, loaded on first use (Swift runs this initialiser once, thread-safely).
    @usableFromInline
    static let loaded: Result<Library, TrainerError> = load(cpu: .current, environment: ProcessInfo.processInfo.environment)

    /// Loads OpenBLAS if not done yet and describes it; throws when no OpenBLAS can be loaded.
    @discardableResult
    public static func ensureLoaded() throws -> Info { try loaded.get().info }

    /// The library's description, or nil when it could not be loaded.
    public static var info: Info? { try? loaded.get().info }

    /// The candidates tried in order (the first that loads and has `cblas_sgemm` wins).
    static func candidates(environment: [String: String]) -> [String] {
        var names: [String] = []
        if let p = environment["CURATE_BLAS_LIBRARY"], !p.isEmpty { names.append(p) }
        #if os(macOS)
        names += ["libopenblas.dylib", "/opt/homebrew/opt/openblas/lib/libopenblas.dylib", "/usr/local/opt/openblas/lib/libopenblas.dylib"]
        #else
        names += ["libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                  "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblasp.so.0"]
        #endif
        return names
    }

    static func load(cpu: CPUFeatures, environment: [String: String]) -> Result<Library, TrainerError> {
        let choice = OpenBLASCoreTypeChoice.choose(for: cpu, userSetting: environment["OPENBLAS_CORETYPE"])
        let names = candidates(environment: environment)
        if let want = choice.coreType { setenv("OPENBLAS_CORETYPE", want, 1) }
        defer { if choice.coreType != nil { unsetenv("OPENBLAS_CORETYPE") } }
        var failures: [String] = []
        for name in names {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                failures.append(dlerror().map { String(cString: $0) } ?? name)
                continue
            }
            guard let sgemmSymbol = dlsym(handle, "cblas_sgemm") else {
                failures.append("\(name): no cblas_sgemm")
                continue
            }
            let sgemm = unsafeBitCast(sgemmSymbol, to: SgemmFunction.self)
            let setThreads = dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetThreadsFunction.self) }
            func string(_ symbol: String) -> String? {
                guard let s = dlsym(handle, symbol) else { return nil }
                guard let p = unsafeBitCast(s, to: StringFunction.self)() else { return nil }
                return String(cString: p).trimmingCharacters(in: .whitespaces)
            }
            let path = cplatform_library_path(sgemmSymbol).map { String(cString: $0) } ?? name
            let info = Info(libraryPath: path, config: string("openblas_get_config") ?? "(not OpenBLAS: no openblas_get_config)",
                            kernels: string("openblas_get_corename") ?? "unknown", choice: choice)
            return .success(Library(sgemm: sgemm, setThreads: setThreads, info: info))
        }
        return .failure(.invalidConfig(
            "cannot load OpenBLAS (tried \(names.joined(separator: ", "))): \(failures.last ?? "not found"); "
            + "install it (Debian/Ubuntu: apt-get install libopenblas0-pthread) or set CURATE_BLAS_LIBRARY to its path"))
    }

    /// Sets OpenBLAS's own thread count (a library-wide setting); nothing when it could not be loaded.
    public static func setThreads(_ n: Int) {
        if case .success(let lib) = loaded { lib.setThreads?(Int32(max(1, n))) }
    }

    /// Row-major `C = alpha op(A) op(B) + beta C` through the loaded `cblas_sgemm`; a plain loop when no
    /// library could be loaded (the trainer's entry points call `ensureLoaded` first and report that, so
    /// this only keeps a call from trapping).
    @usableFromInline
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112
        switch loaded {
        case .success(let lib):
            lib.sgemm(rowMajor, transA ? trans : noTrans, transB ? trans : noTrans, Int32(m), Int32(n), Int32(k), alpha,
                      a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        case .failure:
            for i in 0..<m {
                for j in 0..<n {
                    var s: Float = 0
                    for p in 0..<k {
                        s += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j])
                    }
                    c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j])
                }
            }
        }
    }
}
