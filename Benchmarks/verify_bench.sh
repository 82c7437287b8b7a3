#!/usr/bin/env bash
# `curate-tool verify` throughput on N synthetic verifiable records (Benchmarks/verify_bench_data.py: math answers in
# every answer shape (boxes, Final Answer:, last math span, no marker) and GSM8K `#### N` answers), this build against an
# older binary (OLD_BIN, e.g. the parent commit's release build) side by side: 3 alternating runs each, medians.
# Writes Benchmarks/verify_bench.last.txt.
#   usage: Benchmarks/verify_bench.sh [N]          (default 200000)
#   env:   BIN (default .build/release/curate-tool), OLD_BIN (optional), THREADS (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
BIN=${BIN:-.build/release/curate-tool}
THREADS=${THREADS:-2}
source Benchmarks/bench_header.sh
bench_start verify_bench "$THREADS"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/verify_bench_data.py "$work/in.jsonl" "$N"
echo "input: $N records, $(du -m "$work/in.jsonl" | cut -f1) MB"
echo "new: $BIN"
[ -n "${OLD_BIN:-}" ] && echo "old: $OLD_BIN"
run() {  # run BIN TAG: prints seconds
  local b=$1 tag=$2 t0 t1
  t0=$(date +%s.%N)
  "$b" verify --input "$work/in.jsonl" --output "$work/$tag.jsonl" --threads "$THREADS" --quiet
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
new=(); old=()
for i in 1 2 3; do
  s=$(run "$BIN" new); new+=("$s"); echo "run $i new: $s s"
  if [ -n "${OLD_BIN:-}" ]; then s=$(run "$OLD_BIN" old); old+=("$s"); echo "run $i old: $s s"; fi
done
mn=$(median "${new[@]}")
echo "new: median $mn s, $(echo "$N / $mn" | bc) records/s"
if [ -n "${OLD_BIN:-}" ]; then
  mo=$(median "${old[@]}")
  echo "old: median $mo s, $(echo "$N / $mo" | bc) records/s"
  echo "throughput new/old: $(echo "scale=3; $mo / $mn" | bc)"
  python3 - "$work/new.jsonl" "$work/old.jsonl" <<'PY'
import json, sys
a = [json.loads(l).get("reward") for l in open(sys.argv[1])]
b = [json.loads(l).get("reward") for l in open(sys.argv[2])]
print(f"verdicts that differ between the two builds: {sum(x != y for x, y in zip(a, b))} of {len(a)} "
      f"(mean reward new {sum(a)/len(a):.4f}, old {sum(b)/len(b):.4f})")
PY
fi
