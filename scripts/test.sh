#!/usr/bin/env bash
# The test suite, in release mode (the trainer's kernels are slow in debug builds).
# Gets the tests' outside dependencies (SmolLM2's GGUF, a Python with openai) with one script and
# exports one variable for each; with CI=true a dependency that cannot be had fails the run, and the
# tests that need it fail rather than skip (Tests/TestDependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
deps=$(bash scripts/fetch-test-deps.sh)
while IFS='=' read -r name value; do
  if [ -n "$name" ]; then export "$name=$value"; fi
done <<< "$deps"
# CURATE_TEST_HOOKS compiles in the SIGKILL hook the kill/resume tests drive (never in a user's binary:
# see Sources/curate-tool/Support/TestHooks.swift).
swift build --build-tests -c release -Xswiftc -DCURATE_TEST_HOOKS
swift test -c release --skip-build "$@"
