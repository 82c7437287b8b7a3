#!/usr/bin/env bash
# The mixer benchmark (issue 5): five .jsonl.zst chat sources (MB_EACH MB of JSON each, >= 1 GB in
# total by default) mixed with fractions and repeats by `curate-tool mix` under --memory 256MB, so
# the external shuffle spills; beside the Python reference (json + zstandard + random) on a 100 MB
# slice (five 20 MB sources). Prints MB/s of uncompressed input per run, medians, peak RSS, the
# ratio of rates, and checks that 1 and 2 threads give identical shards.
# usage: Benchmarks/mix_bench.sh [MB_EACH=210] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-210}; RUNS=${2:-3}
W=${BENCH_DIR:-/tmp/mixbench}; mkdir -p "$W"
python3 -c "import zstandard" 2>/dev/null || pip install -q zstandard
# NO_BUILD=1: use the release binary as it is (as parquet_bench.sh).
[ -n "${NO_BUILD:-}" ] || swift build -c release --product curate-tool >/dev/null
BIN=.build/release/curate-tool
source Benchmarks/bench_header.sh; bench_start mix_bench "2"
for i in 1 2 3 4 5; do
  [ -f "$W/src$i.jsonl.zst" ] || python3 Benchmarks/gen_chat.py "$W/src$i.jsonl.zst" "$MB" "$i" >/dev/null
  [ -f "$W/slice$i.jsonl.zst" ] || python3 Benchmarks/gen_chat.py "$W/slice$i.jsonl.zst" 20 "$i" >/dev/null
done
AMOUNTS=("fraction 0.5" "repeat 1.5" "fraction 0.8" "repeat 1.2" "fraction 0.3")
recipe() { # $1 = file prefix
  echo "seed: 42"; echo "sources:"
  for i in 1 2 3 4 5; do
    set -- "$1" ${AMOUNTS[$((i-1))]}
    echo "  - {name: s$i, paths: [$W/$1$i.jsonl.zst], $2: $3}"
  done
}
recipe src > "$W/bench.yaml"
BYTES=$(for i in 1 2 3 4 5; do zstd -dc "$W/src$i.jsonl.zst" | wc -c; done | awk '{s+=$1} END {print s}')
SLICE=$(for i in 1 2 3 4 5; do zstd -dc "$W/slice$i.jsonl.zst" | wc -c; done | awk '{s+=$1} END {print s}')
PYARGS=(); for i in 1 2 3 4 5; do set -- ${AMOUNTS[$((i-1))]}; PYARGS+=("s$i=$W/slice$i.jsonl.zst:$1:$2"); done

secs() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A T
for run in $(seq "$RUNS"); do
  for th in 1 2; do
    r=$(secs $BIN mix --recipe "$W/bench.yaml" -o "$W/out$th" --threads $th --memory 256MB --max-records 100000 --quiet)
    T[t$th]+="$(echo $r | cut -d' ' -f1) "; T[rss$th]+="$(echo $r | cut -d' ' -f2) "
  done
  T[py]+="$(secs python3 Benchmarks/py_mix.py "$W/outpy" 42 "${PYARGS[@]}" | cut -d' ' -f1) "
done
cmp <(cat "$W"/out1/part-*.jsonl.zst) <(cat "$W"/out2/part-*.jsonl.zst) && echo "threads 1 and 2: identical shards"
OUT=$(python3 -c "import json; m=json.load(open('$W/out2/part.manifest.json')); print(m['records'], m['bytes'])")
SPILL=$(python3 -c "import json; r=json.load(open('$W/out2/part.report.json')); print(r['shuffle']['runs_spilled'], r['shuffle']['bytes_spilled'])")
echo "input: 5 sources, $BYTES bytes of JSON; output: $OUT (records, bytes); spilled runs, bytes: $SPILL; $RUNS runs (median)"
for k in 1 2; do
  t=$(echo ${T[t$k]} | tr ' ' '\n' | median); rss=$(echo ${T[rss$k]} | tr ' ' '\n' | median); T[m$k]=$t
  awk -v b="$BYTES" -v s="$t" -v k="$k" -v r="$rss" 'BEGIN {printf "curate-tool mix, %d thread(s): %7.2f s  %7.1f MB/s  peak RSS %.0f MB (limit 256 MB)\n", k, s, b/1e6/s, r/1024}'
done
tp=$(echo ${T[py]} | tr ' ' '\n' | median)
awk -v b="$SLICE" -v s="$tp" 'BEGIN {printf "python (json+zstandard+random), 100 MB slice: %7.2f s  %7.1f MB/s\n", s, b/1e6/s}'
awk -v B="$BYTES" -v S="$SLICE" -v p="$tp" -v a="${T[m1]}" -v c="${T[m2]}" 'BEGIN {
  printf "ratio of rates swift(1 thread)/python: %.1fx, swift(2 threads)/python: %.1fx\n", (B/a)/(S/p), (B/c)/(S/p) }'
rm -rf "$W/out1" "$W/out2" "$W/outpy"
