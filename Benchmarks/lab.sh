#!/usr/bin/env bash
# One lab at full size (issues 16 and 17): labs/NAME.yaml, every variant x 3 seeds, on all cores, timed; its
# report (claims with verdicts, per-metric tables) follows in the output. The seeds default to ones never used
# while the lab was built and calibrated (calibration used seeds 1-3), so the numbers are a fresh draw. Writes
# everything to Benchmarks/lab_NAME.last.txt (dashes as underscores); the README's tables are copied from it.
# usage: Benchmarks/lab.sh NAME [SEEDS=101,102,103] [OUT=out/lab-NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=${1:?usage: Benchmarks/lab.sh NAME [SEEDS] [OUT]}
SEEDS=${2:-101,102,103}; OUT=${3:-out/lab-$NAME}
[ -f "labs/$NAME.yaml" ] || { echo "no lab file labs/$NAME.yaml" >&2; exit 2; }
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product curate-tool >/dev/null
BIN=.build/release/curate-tool
source Benchmarks/bench_header.sh; bench_start "lab_${NAME//-/_}" "$(nproc)"
echo "command: $BIN ablate labs/$NAME.yaml --output $OUT --seeds $SEEDS"
echo
start=$(date +%s)
"$BIN" ablate "labs/$NAME.yaml" --output "$OUT" --seeds "$SEEDS" 2>&1 | grep -E '^\[run |^claim |^report:'
end=$(date +%s)
echo
echo "wall time: $(( (end - start) / 60 )) min $(( (end - start) % 60 )) s (target: <= 45 min)"
echo
echo "== $OUT/report.md =="
cat "$OUT/report.md"
