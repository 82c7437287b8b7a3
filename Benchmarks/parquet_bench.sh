#!/usr/bin/env bash
# Parquet input (issue 19), side by side in one run, one thread each, runs alternating, medians of RUNS:
#  a. `curate-tool convert x.parquet` to JSONL and to zstd-3 beside pyarrow (read_row_group -> to_pylist ->
#     json.dumps [-> zstandard]) on the same file of ~1 KB Tulu-style chat rows (list<struct<content, role>>,
#     snappy, dictionary-encoded, row groups of 1000), pinned to one core (`taskset`): per-core figures.
#  b. the plain-JSONL convert's MB/s (of JSON written) per second of wall clock and per CPU second.
#  c. the zstd-3 convert beside the `zstd -3` CLI alone compressing the same JSON (from the page cache),
#     pinned to one core, and with two cores (no pinning, `--threads 1`: both then compress on a zstd
#     worker thread while the main thread reads); and `convert` of that JSON as JSONL to zstd-3 (our
#     reader, writer and compression path without the Parquet decoding) beside the CLI.
#  d. `decontam scan` (index of the real GSM8K test, HumanEval, IFBench and MATH500 sets) of chat records
#     carrying eval items (decontam_bench_data.py), from Parquet and from the same rows as .jsonl.zst,
#     pinned, --threads 1, zstd-3 output; the two outputs compared byte for byte.
# MB/s are of the JSON read or written. CPU = user + system seconds. Timed runs use real-time priority
# (`chrt -f 50`) when allowed, so that other jobs on the machine do not share the pinned core.
# usage: Benchmarks/parquet_bench.sh [MEGABYTES=100] [RUNS=3]     PY=python-with-pyarrow (default python3), NO_BUILD=1
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-100}; RUNS=${2:-3}
PY=${PY:-python3}
W=${BENCH_DIR:-/tmp/curate-bench}; mkdir -p "$W"
"$PY" -c "import pyarrow, zstandard" 2>/dev/null || { echo "parquet_bench: $PY needs pyarrow and zstandard (set PY=)" >&2; exit 2; }
# NO_BUILD=1: use the release binary as it is (swift build waits while another swift command holds .build).
[ -n "${NO_BUILD:-}" ] || swift build -c release --product curate-tool >/dev/null
BIN=.build/release/curate-tool
source Benchmarks/bench_header.sh; bench_start parquet_bench 1
[ -f "$W/chat-$MB.jsonl.zst" ] || "$PY" Benchmarks/gen_chat.py "$W/chat-$MB.jsonl.zst" "$MB"
[ -f "$W/chat-$MB.parquet" ] || "$PY" Benchmarks/py_parquet.py make "$W/chat-$MB.jsonl.zst" "$W/chat-$MB.parquet"
EVALS="Fixtures/evals/gsm8k-test.jsonl Fixtures/evals/ifbench-test.jsonl Fixtures/evals/humaneval.jsonl Fixtures/evals/mmath-en.jsonl"
[ -f "$W/dchat-$MB.jsonl.zst" ] || "$PY" Benchmarks/decontam_bench_data.py chat "$W/dchat-$MB.jsonl.zst" "$MB" $EVALS
[ -f "$W/dchat-$MB.parquet" ] || "$PY" Benchmarks/py_parquet.py make "$W/dchat-$MB.jsonl.zst" "$W/dchat-$MB.parquet"

secs() { /usr/bin/time -f "%e %M %U %S" "$@" 2>&1 >/dev/null | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# Every timed run at real-time priority (`chrt -f 50`, when allowed), as generate_bench.sh does: on this
# shared machine other jobs' builds would otherwise take the pinned core from under the run, and wall
# times would measure them.
RT=""; chrt -f 50 true 2>/dev/null && RT="chrt -f 50"
PIN="$RT"; command -v taskset >/dev/null && PIN="$RT taskset -c 0"

rm -rf "$W/pq-none" "$W/pq-zstd" "$W/dpq"
$BIN convert "$W/chat-$MB.parquet" -o "$W/pq-none" --compression none --max-records 100000000 --threads 1 --quiet
"$PY" Benchmarks/py_parquet.py convert "$W/chat-$MB.parquet" "$W/py.jsonl"
BYTES=$(cat "$W"/pq-none/part-*.jsonl | wc -c)
cmp <(cat "$W"/pq-none/part-*.jsonl) "$W/py.jsonl" && echo "curate and pyarrow+json write the same bytes"
rate() { awk -v b="${2:-$BYTES}" -v s="$1" 'BEGIN {printf "%.1f", b/1e6/s}'; }
# d's inputs: the eval index, and the Parquet rows as .jsonl.zst (the same JSON, one file).
rm -f "$W/pq-evals.sqlite"
$BIN decontam index --eval gsm8k=Fixtures/evals/gsm8k-test.jsonl --eval humaneval=Fixtures/evals/humaneval.jsonl \
  --eval ifbench=Fixtures/evals/ifbench-test.jsonl --eval math500=Fixtures/evals/mmath-en.jsonl --select math500:data_source=MATH500 \
  --output "$W/pq-evals.sqlite" --quiet
$BIN convert "$W/dchat-$MB.parquet" -o "$W/dpq" --compression zstd --level 3 --max-records 100000000 --quiet
mv "$W/dpq/part-00000.jsonl.zst" "$W/dchat-$MB.rows.jsonl.zst"; rm -rf "$W/dpq"
DBYTES=$(zstd -dc "$W/dchat-$MB.rows.jsonl.zst" | wc -c)

KEYS="swift_none py_none swift_zstd py_zstd zstd_cli jsonl_zstd swift_zstd_2c zstd_cli_2c scan_jsonl scan_parquet"
declare -A T R C
for run in $(seq "$RUNS"); do
  for k in $KEYS; do
    # The previous run's output is put on disk first: otherwise the next run's fsyncs (curate fsyncs its
    # shards, manifest and report; Python and the zstd CLI do not) would wait for it too (ext4's ordered mode).
    sync
    case $k in
      swift_none) out=$(rm -rf "$W/o"; secs $PIN $BIN convert "$W/chat-$MB.parquet" -o "$W/o" --compression none --max-records 100000000 --threads 1 --quiet) ;;
      swift_zstd) out=$(rm -rf "$W/o"; secs $PIN $BIN convert "$W/chat-$MB.parquet" -o "$W/o" --compression zstd --level 3 --max-records 100000000 --threads 1 --quiet) ;;
      swift_zstd_2c) out=$(rm -rf "$W/o"; secs $RT $BIN convert "$W/chat-$MB.parquet" -o "$W/o" --compression zstd --level 3 --max-records 100000000 --threads 1 --quiet) ;;
      py_none) out=$(secs $PIN "$PY" Benchmarks/py_parquet.py convert "$W/chat-$MB.parquet" "$W/py-out.jsonl") ;;
      py_zstd) out=$(secs $PIN "$PY" Benchmarks/py_parquet.py convert "$W/chat-$MB.parquet" "$W/py-out.jsonl.zst") ;;
      zstd_cli) out=$(secs $PIN zstd -q -f -3 "$W/py.jsonl" -o "$W/cli.jsonl.zst") ;;
      jsonl_zstd) out=$(rm -rf "$W/o"; secs $PIN $BIN convert "$W/py.jsonl" -o "$W/o" --compression zstd --level 3 --max-records 100000000 --threads 1 --quiet) ;;
      zstd_cli_2c) out=$(secs $RT zstd -q -f -3 "$W/py.jsonl" -o "$W/cli.jsonl.zst") ;;
      scan_jsonl) out=$(rm -rf "$W/dj"; secs $PIN $BIN decontam scan --index "$W/pq-evals.sqlite" --input "$W/dchat-$MB.rows.jsonl.zst" --output "$W/dj" --threads 1 --quiet) ;;
      scan_parquet) out=$(rm -rf "$W/dp"; secs $PIN $BIN decontam scan --index "$W/pq-evals.sqlite" --input "$W/dchat-$MB.parquet" --output "$W/dp" --threads 1 --quiet) ;;
    esac
    read -r e m u sy <<<"$out"
    T[$k]+="$e "; C[$k]+="$(awk -v u="$u" -v s="$sy" 'BEGIN {print u + s}') "; R[$k]=$m
  done
done
echo "timed runs: ${PIN:-unpinned} (2-core rows: ${RT:-normal priority})"
echo "input: $W/chat-$MB.parquet ($(stat -c %s "$W/chat-$MB.parquet") bytes), $BYTES bytes of JSON out; $RUNS runs (median)"
echo "decontam input: $W/dchat-$MB.parquet ($(stat -c %s "$W/dchat-$MB.parquet") bytes) and the same rows as $W/dchat-$MB.rows.jsonl.zst ($(stat -c %s "$W/dchat-$MB.rows.jsonl.zst") bytes), $DBYTES bytes of JSON"
if cmp -s <(cat "$W"/dj/part-*.jsonl.zst "$W"/dj/removed-*.jsonl.zst) <(cat "$W"/dp/part-*.jsonl.zst "$W"/dp/removed-*.jsonl.zst); then
  echo "decontam scan: identical kept and removed shards from Parquet and from JSONL.zst ($(grep -o '"dropped_total" *: *[0-9]*' "$W/dp/decontam.report.json" | grep -o '[0-9]*$') records removed)"
else
  echo "decontam scan: OUTPUTS DIFFER between Parquet and JSONL.zst"; exit 1
fi
for k in $KEYS; do
  m=$(echo ${T[$k]} | tr ' ' '\n' | median); T[m_$k]=$m
  c=$(echo ${C[$k]} | tr ' ' '\n' | median); C[m_$k]=$c
  b=$BYTES; case $k in scan_*) b=$DBYTES ;; esac
  pin="pinned"; case $k in *_2c) pin="2 cores" ;; esac
  printf "%-14s %-8s %7.2f s wall %8s MB/s   %7.2f s cpu %8s MB/s   peak RSS %s KB\n" "$k" "$pin" "$m" "$(rate "$m" $b)" "$c" "$(rate "$c" $b)" "${R[$k]}"
done
awk -v a="${T[m_py_none]}" -v b="${T[m_swift_none]}" -v c="${T[m_py_zstd]}" -v d="${T[m_swift_zstd]}" \
    -v e="${C[m_py_none]}" -v f="${C[m_swift_none]}" -v g="${C[m_py_zstd]}" -v h="${C[m_swift_zstd]}" \
    -v z="${T[m_zstd_cli]}" -v zc="${C[m_zstd_cli]}" -v s2="${T[m_swift_zstd_2c]}" -v z2="${T[m_zstd_cli_2c]}" \
    -v jz="${T[m_jsonl_zstd]}" -v jzc="${C[m_jsonl_zstd]}" -v sj="${T[m_scan_jsonl]}" -v sp="${T[m_scan_parquet]}" -v cj="${C[m_scan_jsonl]}" -v cp="${C[m_scan_parquet]}" -v bytes="$BYTES" 'BEGIN {
  printf "a. curate/pyarrow, zstd-3: %.2fx wall, %.2fx cpu (target >= 2x); plain JSONL: %.2fx wall, %.2fx cpu\n", c/d, g/h, a/b, e/f
  printf "b. plain JSONL: %.1f MB/s wall, %.1f MB/s cpu per core (target >= 150)\n", bytes/1e6/b, bytes/1e6/f
  printf "c. zstd-3 convert / zstd -3 CLI alone: pinned %.2fx wall, %.2fx cpu; 2 cores %.2fx wall (target >= 0.85)\n", z/d, zc/h, z2/s2
  printf "   our compression path alone (convert of the same JSON as JSONL to zstd-3) / zstd -3 CLI: pinned %.2fx wall, %.2fx cpu\n", z/jz, zc/jzc
  printf "d. decontam scan, Parquet / JSONL.zst speed: %.2fx wall, %.2fx cpu (target >= 0.80)\n", sj/sp, cj/cp }'
rm -rf "$W/o" "$W/pq-none" "$W/py.jsonl" "$W/py-out.jsonl" "$W/py-out.jsonl.zst" "$W/cli.jsonl.zst" "$W/dj" "$W/dp"
