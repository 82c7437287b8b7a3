// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for the parsers that read outside input (issue 13 item 16). Built and run by
/// ../scripts/fuzz.sh with `swift build --sanitize=fuzzer`; kept out of the main package so its
/// builds and tests never need the fuzzer runtime.
///
/// One executable hosts every target (each in its own file) and `CURATE_FUZZ_TARGET` picks one:
/// one link of the instrumented libraries instead of one per target keeps the CI build inside budget.
let package = Package(
    name: "curate-fuzz",
    platforms: [.macOS(.v13)],
    // `name:` so the products resolve whatever the checkout folder is called (identity comes from the path).
    dependencies: [.package(name: "curate", path: "..")],
    targets: [
        .executableTarget(
            name: "curate-fuzz",
            dependencies: [
                .product(name: "Curation", package: "curate"),
                .product(name: "Mixer", package: "curate"),
                .product(name: "Trainer", package: "curate"),
            ],
            swiftSettings: [
                // libFuzzer supplies `main`: the module must not have a top-level entry point.
                .unsafeFlags(["-parse-as-library"]),
            ]),
    ],
    swiftLanguageModes: [.v5]
)
