#!/usr/bin/env bash
# Parquet input (issue 19): `curate-tool convert x.parquet` to JSONL beside pyarrow (read_table per row
# group -> to_pylist -> json.dumps) on the same file of ~1 KB Tulu-style chat rows (list<struct<content,
# role>>, snappy, dictionary-encoded, row groups of 1000), one thread each, plain JSONL output and zstd-3.
# Runs alternate; medians of RUNS. MB/s are of the JSON written, per second of wall clock and per CPU
# second (user + system: the figure that holds when other jobs share the machine).
# usage: Benchmarks/parquet_bench.sh [MEGABYTES=100] [RUNS=3]     PY=python-with-pyarrow (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-100}; RUNS=${2:-3}
PY=${PY:-python3}
W=${BENCH_DIR:-/tmp/curate-bench}; mkdir -p "$W"
"$PY" -c "import pyarrow, zstandard" 2>/dev/null || { echo "parquet_bench: $PY needs pyarrow and zstandard (set PY=)" >&2; exit 2; }
swift build -c release --product curate-tool >/dev/null
BIN=.build/release/curate-tool
source Benchmarks/bench_header.sh; bench_start parquet_bench 1
[ -f "$W/chat-$MB.jsonl.zst" ] || "$PY" Benchmarks/gen_chat.py "$W/chat-$MB.jsonl.zst" "$MB"
[ -f "$W/chat-$MB.parquet" ] || "$PY" Benchmarks/py_parquet.py make "$W/chat-$MB.jsonl.zst" "$W/chat-$MB.parquet"

secs() { /usr/bin/time -f "%e %M %U %S" "$@" 2>&1 >/dev/null | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
PIN=""; command -v taskset >/dev/null && PIN="taskset -c 0"

rm -rf "$W/pq-none" "$W/pq-zstd"
$BIN convert "$W/chat-$MB.parquet" -o "$W/pq-none" --compression none --max-records 100000000 --threads 1 --quiet
"$PY" Benchmarks/py_parquet.py convert "$W/chat-$MB.parquet" "$W/py.jsonl"
BYTES=$(cat "$W"/pq-none/part-*.jsonl | wc -c)
cmp <(cat "$W"/pq-none/part-*.jsonl) "$W/py.jsonl" && echo "curate and pyarrow+json write the same bytes"
rate() { awk -v b="$BYTES" -v s="$1" 'BEGIN {printf "%.1f", b/1e6/s}'; }

declare -A T R C
for run in $(seq "$RUNS"); do
  for k in swift_none py_none swift_zstd py_zstd; do
    case $k in
      swift_none) out=$(rm -rf "$W/o"; secs $PIN $BIN convert "$W/chat-$MB.parquet" -o "$W/o" --compression none --max-records 100000000 --threads 1 --quiet) ;;
      swift_zstd) out=$(rm -rf "$W/o"; secs $PIN $BIN convert "$W/chat-$MB.parquet" -o "$W/o" --compression zstd --level 3 --max-records 100000000 --threads 1 --quiet) ;;
      py_none) out=$(secs $PIN "$PY" Benchmarks/py_parquet.py convert "$W/chat-$MB.parquet" "$W/py.jsonl") ;;
      py_zstd) out=$(secs $PIN "$PY" Benchmarks/py_parquet.py convert "$W/chat-$MB.parquet" "$W/py.jsonl.zst") ;;
    esac
    read -r e m u sy <<<"$out"
    T[$k]+="$e "; C[$k]+="$(awk -v u="$u" -v s="$sy" 'BEGIN {print u + s}') "; R[$k]=$m
  done
done
echo "input: $W/chat-$MB.parquet ($(stat -c %s "$W/chat-$MB.parquet") bytes), $BYTES bytes of JSON out, $RUNS runs (median), pinned to one core"
for k in swift_none py_none swift_zstd py_zstd; do
  m=$(echo ${T[$k]} | tr ' ' '\n' | median); T[m_$k]=$m
  c=$(echo ${C[$k]} | tr ' ' '\n' | median); C[m_$k]=$c
  printf "%-12s %7.2f s wall %8s MB/s   %7.2f s cpu %8s MB/s   peak RSS %s KB\n" "$k" "$m" "$(rate "$m")" "$c" "$(rate "$c")" "${R[$k]}"
done
awk -v a="${T[m_py_none]}" -v b="${T[m_swift_none]}" -v c="${T[m_py_zstd]}" -v d="${T[m_swift_zstd]}" \
    -v e="${C[m_py_none]}" -v f="${C[m_swift_none]}" -v g="${C[m_py_zstd]}" -v h="${C[m_swift_zstd]}" 'BEGIN {
  printf "ratio curate/pyarrow, plain JSONL: %.1fx wall, %.1fx cpu\nratio curate/pyarrow, zstd-3: %.1fx wall, %.1fx cpu\n", a/b, e/f, c/d, g/h }'
rm -rf "$W/o" "$W/pq-none" "$W/py.jsonl" "$W/py.jsonl.zst"
