// swift-tools-version:6.0
import PackageDescription

/// One package, four libraries and one CLI (see ../shared/DESIGN.md section 2):
/// curate-tool -> {Decontam, Mixer, Trainer} -> Curation -> C shims.
let optimize: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

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
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        .target(
            name: "Curation",
            dependencies: ["CZstd", "CXXHash", "CZlib", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: optimize),
        .target(name: "Decontam", dependencies: ["Curation", "CPrefetch", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: optimize),
        .target(name: "Mixer", dependencies: ["Curation", .product(name: "Yams", package: "Yams")], swiftSettings: optimize),
        .target(name: "Trainer", dependencies: ["Curation", "COpenBLAS", "CPrefetch"], swiftSettings: optimize + [
            // The kernels are written with 8-wide SIMD: let them use AVX2 + FMA registers (x86-64-v3).
            .unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma"], .when(platforms: [.linux], configuration: .release)),
        ]),
        .executableTarget(
            name: "curate-tool",
            dependencies: [
                "Curation", "Decontam", "Mixer", "Trainer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The SIGKILL test hook is compiled into debug builds only (release: -Xswiftc -DCURATE_TEST_HOOKS,
            // as scripts/test.sh does); see Sources/curate-tool/Support/TestHooks.swift.
            swiftSettings: optimize + [.define("CURATE_TEST_HOOKS", .when(configuration: .debug))]),

        .testTarget(name: "CurationTests", dependencies: ["Curation"], resources: []),
        .testTarget(name: "DecontamTests", dependencies: ["Decontam", "Curation"]),
        .testTarget(name: "MixerTests", dependencies: ["Mixer", "Curation"]),
        .testTarget(name: "TrainerTests", dependencies: ["Trainer", "Curation"]),
        .testTarget(name: "CLITests", dependencies: ["Curation", "curate-tool"]),
    ],
    swiftLanguageModes: [.v5]
)
