#!/usr/bin/env bash
# One lab at full size (issues 16 and 17): labs/NAME.yaml, every variant x 3 seeds, on all cores, timed; its
# report (claims with verdicts, per-metric tables) follows in the output. The seeds default to ones never used
# while the lab was built and calibrated (calibration used seeds 1-3), so the numbers are a fresh draw. Writes
# everything to Benchmarks/lab_NAME.last.txt (dashes as underscores); the README's tables are copied from it.
# usage: Benchmarks/lab.sh NAME [SEEDS=101,102,103] [OUT=out/lab-NAME]
#   REUSE=1: pass --reuse-outputs (stages another build computed in OUT are reused: the wall time is then not
#            the lab's; EARLIER_LOG=FILE appends that earlier run's progress lines and timing, as it printed them)
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=${1:?usage: Benchmarks/lab.sh NAME [SEEDS] [OUT]}
SEEDS=${2:-101,102,103}; OUT=${3:-out/lab-$NAME}
[ -f "labs/$NAME.yaml" ] || { echo "no lab file labs/$NAME.yaml" >&2; exit 2; }
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product curate-tool >/dev/null
BIN=${CURATE_TOOL:-.build/release/curate-tool}
source Benchmarks/bench_header.sh; bench_start "lab_${NAME//-/_}" "$(nproc)"
XTRA=(); [ -z "${REUSE:-}" ] || XTRA=(--reuse-outputs)
echo "command: $BIN ablate labs/$NAME.yaml --output $OUT --seeds $SEEDS ${XTRA[*]:-}"
echo
start=$(date +%s)
"$BIN" ablate "labs/$NAME.yaml" --output "$OUT" --seeds "$SEEDS" "${XTRA[@]}" 2>&1 | grep -E '^\[run |^claim |^report:'
end=$(date +%s)
echo
echo "wall time: $(( (end - start) / 60 )) min $(( (end - start) % 60 )) s (target: <= 45 min)${REUSE:+ (stages reused: not the time of the lab)}"
if [ -n "${EARLIER_LOG:-}" ]; then
  echo
  echo "== the earlier run that computed the stages ($EARLIER_LOG) =="
  grep -E '^\[run |Elapsed|Command being timed|Exit status|^Error' "$EARLIER_LOG" || true
fi
echo
echo "== $OUT/report.md =="
cat "$OUT/report.md"
