#!/usr/bin/env bash
# The streaming data plane benchmark (issue 2): read a .jsonl.zst of ~1 KB chat records and write it back
# as zstd shards with `curate-tool convert`, beside `zstd -dc` alone and the Python reference
# (json + zstandard), in the same run. Prints MB/s of uncompressed JSON per run, medians and ratios,
# and peak RSS for the input and a 10x larger one.
# usage: Benchmarks/io_bench.sh [MEGABYTES=200] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-200}; RUNS=${2:-3}
W=${BENCH_DIR:-/tmp/curate-bench}; mkdir -p "$W"
python3 -c "import zstandard" 2>/dev/null || pip install -q zstandard
swift build -c release --product curate-tool >/dev/null
BIN=.build/release/curate-tool
source Benchmarks/bench_header.sh; bench_start io_bench "1 and 2"
[ -f "$W/chat-$MB.jsonl.zst" ] || python3 Benchmarks/gen_chat.py "$W/chat-$MB.jsonl.zst" "$MB"
BIG=$((MB * 10))
[ -f "$W/chat-$BIG.jsonl.zst" ] || python3 Benchmarks/gen_chat.py "$W/chat-$BIG.jsonl.zst" "$BIG"
BYTES=$(zstd -dc "$W/chat-$MB.jsonl.zst" | wc -c)

secs() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rate() { awk -v b="$BYTES" -v s="$1" 'BEGIN {printf "%.1f", b/1e6/s}'; }

# swift1c pins the process to one CPU: `--threads 1` alone still lets zstd's compression worker use the
# second core, so only the pinned run is a per-core figure.
PIN=""; command -v taskset >/dev/null && PIN="taskset -c 0"
declare -A T
for run in $(seq "$RUNS"); do
  T[zstd]+="$(secs zstd -dc "$W/chat-$MB.jsonl.zst" | cut -d' ' -f1) "
  T[swift1c]+="$(secs $PIN $BIN convert "$W/chat-$MB.jsonl.zst" -o "$W/out1c" --max-records 100000 --threads 1 --quiet | cut -d' ' -f1) "
  T[swift1]+="$(secs $BIN convert "$W/chat-$MB.jsonl.zst" -o "$W/out1" --max-records 100000 --threads 1 --quiet | cut -d' ' -f1) "
  T[swift2]+="$(secs $BIN convert "$W/chat-$MB.jsonl.zst" -o "$W/out2" --max-records 100000 --threads 2 --quiet | cut -d' ' -f1) "
  T[python]+="$(secs python3 Benchmarks/py_convert.py "$W/chat-$MB.jsonl.zst" "$W/outpy" 100000 | cut -d' ' -f1) "
done
cmp <(cat "$W"/out1/part-*.jsonl.zst) <(cat "$W"/out2/part-*.jsonl.zst) && echo "threads 1 and 2: identical shards"
echo "input: $W/chat-$MB.jsonl.zst, $BYTES bytes uncompressed, $RUNS runs (median)"
for k in zstd swift1c swift1 swift2 python; do
  m=$(echo ${T[$k]} | tr ' ' '\n' | median); T[m_$k]=$m
  printf "%-28s %7.2f s  %8s MB/s\n" "$k" "$m" "$(rate "$m")"
done
awk -v a="${T[m_python]}" -v b="${T[m_swift1]}" -v c="${T[m_zstd]}" -v d="${T[m_swift2]}" -v e="${T[m_swift1c]}" 'BEGIN {
  printf "ratio swift(1 core, pinned)/python: %.1fx\nratio swift(--threads 1)/python: %.1fx\nratio swift(2 threads)/python: %.1fx\nswift(1 thread) time / zstd -dc time: %.2f\n", a/e, a/b, a/d, b/c }'
R1=$(secs $BIN convert "$W/chat-$MB.jsonl.zst" -o "$W/out1" --max-records 100000 --threads 1 --quiet | cut -d' ' -f2)
R10=$(secs $BIN convert "$W/chat-$BIG.jsonl.zst" -o "$W/out10" --max-records 100000 --threads 1 --quiet | cut -d' ' -f2)
echo "peak RSS: ${R1} KB for ${MB} MB, ${R10} KB for ${BIG} MB"
rm -rf "$W/out1c" "$W/out1" "$W/out2" "$W/outpy" "$W/out10"
