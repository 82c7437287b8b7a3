#!/usr/bin/env bash
# The s1 selection benchmark (issue 4): `curate-tool select` over a pool of ITEMS items of ~4 KB
# (whitespace-token lengths), target 1000. Prints the time of each run, the median, peak RSS and the
# funnel, and checks that two runs with the same seed wrote identical output.
# usage: Benchmarks/select_bench.sh [ITEMS=100000] [RUNS=3] [THREADS=2]
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${1:-100000}; RUNS=${2:-3}; THREADS=${3:-2}
W=${BENCH_DIR:-/tmp/curate-bench}; mkdir -p "$W"
swift build -c release --product curate-tool >/dev/null
BIN=.build/release/curate-tool
source Benchmarks/bench_header.sh; bench_start select_bench "$THREADS"
POOL="$W/s1-pool-$ITEMS.jsonl"
[ -f "$POOL" ] || python3 Benchmarks/gen_s1_pool.py "$POOL" "$ITEMS"
echo "pool: $POOL, $(wc -c < "$POOL") bytes, $ITEMS items"
times=()
for run in $(seq "$RUNS"); do
  rm -rf "$W/gold-$run.jsonl"
  line=$( { /usr/bin/time -f "%e %M" $BIN select --input "$POOL" --target 1000 --seed 7 -o "$W/gold-$run.jsonl" \
            --threads "$THREADS" --quiet; } 2>&1 | tail -1)
  echo "run $run: ${line%% *} s, peak RSS ${line##* } KB"
  times+=("${line%% *}")
done
printf "%s\n" "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "median: %.2f s\n", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
[ "$RUNS" -ge 2 ] && cmp "$W/gold-1.jsonl" "$W/gold-2.jsonl" && echo "same seed: identical output"
python3 -c "import json; r=json.load(open('$W/gold-1.report.json')); f=r['funnel']; print('funnel:', ' -> '.join(str(f[k]) for k in ['input','after_quality','after_difficulty','selected']))"
