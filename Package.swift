// swift-tools-version:6.0
import PackageDescription

/// One package, four libraries and one CLI (see ../shared/DESIGN.md section 2):
/// curate-tool -> {Decontam, Mixer, Trainer} -> Curation -> C shims.
///
/// Release builds use the default `-O`: bounds and overflow checks stay on everywhere, so a missing guard on
/// input traps instead of being undefined behaviour. Hot loops that must run unchecked already work on unsafe
/// buffer pointers (whose subscripts are unchecked in `-O`) with wrapping arithmetic (`&+`, `&*`).
/// What `-O` adds and `-Ounchecked` did not is also the run-time exclusivity check on every access to a
/// class's stored property (`swift_beginAccess`): in decontam's scan loop (the token buffer, the
/// normaliser) that alone cost ~30% of the scan (perf, Benchmarks/ab_bench.sh). It guards against
/// overlapping inout accesses, which these single-threaded per-worker objects never make, and is not a
/// bounds or overflow check: release builds turn it off and keep those.
let release: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "curate",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Curation", targets: ["Curation"]),
        .library(name: "Decontam", targets: ["Decontam"]),
        .library(name: "Mixer", targets: ["Mixer"]),
        .library(name: "Trainer", targets: ["Trainer"]),
        .executable(name: "curate-tool", targets: ["curate-tool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // System-library shims: a module map and a one-line header each.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CXXHash", path: "Sources/CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPrefetch", path: "Sources/CPrefetch"),
        // CPUID feature detection, compiled for the x86-64 baseline: it decides which wider kernels may run.
        // (OpenBLAS is not linked: Trainer's BLASRuntime loads it at first use, after choosing its kernels.)
        .target(name: "CPlatform", path: "Sources/CPlatform"),
        // Integer dot-product decode kernels (quantized activations x Q4_0/Q4_1/Q8_0 blocks), chosen at run time by CPUID.
        .target(name: "CQuantKernels"),

        .target(
            name: "Curation",
            dependencies: ["CZstd", "CXXHash", "CZlib", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: release),
        .target(name: "Decontam", dependencies: ["Curation", "CPrefetch", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: release),
        .target(name: "Mixer", dependencies: ["Curation", .product(name: "Yams", package: "Yams")], swiftSettings: release),
        .target(name: "Trainer", dependencies: ["Curation", "CPlatform", "CPrefetch", "CQuantKernels"], swiftSettings: release + [
            // The kernels are written with 8-wide SIMD: let them use AVX2 + FMA registers (x86-64-v3).
            .unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma"], .when(platforms: [.linux], configuration: .release)),
        ]),
        .executableTarget(
            name: "curate-tool",
            dependencies: [
                "Curation", "Decontam", "Mixer", "Trainer", "CPlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The SIGKILL test hook is compiled into debug builds only (release: -Xswiftc -DCURATE_TEST_HOOKS,
            // as scripts/test.sh does); see Sources/curate-tool/Support/TestHooks.swift.
            swiftSettings: release + [.define("CURATE_TEST_HOOKS", .when(configuration: .debug))]),

        // The "skip unless available, fail under CI=true" helper for tests needing a model or a Python package.
        .target(name: "TestDependencies", path: "Tests/TestDependencies"),
        .testTarget(name: "CurationTests", dependencies: ["Curation"], resources: []),
        .testTarget(name: "DecontamTests", dependencies: ["Decontam", "Curation"]),
        .testTarget(name: "MixerTests", dependencies: ["Mixer", "Curation"]),
        .testTarget(name: "TrainerTests", dependencies: ["Trainer", "Curation", "TestDependencies"]),
        .testTarget(name: "CLITests", dependencies: ["Curation", "curate-tool", "TestDependencies"]),
    ],
    swiftLanguageModes: [.v5]
)
