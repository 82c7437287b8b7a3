#!/usr/bin/env bash
# The test suite, in release mode (the trainer's kernels are slow in debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests -c release
swift test -c release --skip-build "$@"
