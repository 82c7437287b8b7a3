#!/usr/bin/env bash
# The overhead of running a stage as tasks (issue 20): a recipe with one decontam stage over MEGABYTES of
# plain ~1 KB chat records (cut into line ranges, so each task reads its own share) is run inline (the
# default) and with `--executor local --tasks TASKS` at the same --threads, RUNS times each into fresh run
# directories; prints the median wall time of both, the overhead (tasks - inline) against the target
# "<= 5 s + 5%", and checks that both runs wrote the same records in the same order and the same report
# minus timings. On a machine with fewer cores than tasks the tasks share the cores (threads per task =
# threads / tasks, at least 1), so this measures the protocol's cost (planning per task, process start-up,
# index load per task, merge), not a speed-up.
# usage: Benchmarks/shares_bench.sh [MEGABYTES=1000] [RUNS=3] [TASKS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-1000}; RUNS=${2:-3}; TASKS=${3:-4}
THREADS=${THREADS:-$(nproc)}
W=${BENCH_DIR:-/tmp/curate-bench}; mkdir -p "$W"
python3 -c "import zstandard, xxhash" 2>/dev/null || pip install -q zstandard xxhash
if [ -z "${BIN:-}" ]; then swift build -c release --product curate-tool >/dev/null; BIN=.build/release/curate-tool; fi
source Benchmarks/bench_header.sh; bench_start shares_bench "$THREADS (inline), $THREADS/$TASKS per task"
EVALS="Fixtures/evals/gsm8k-test.jsonl Fixtures/evals/ifbench-test.jsonl Fixtures/evals/humaneval.jsonl"
[ -f "$W/gen-evals.jsonl" ] || python3 Benchmarks/decontam_bench_data.py evals "$W/gen-evals.jsonl" 18000
[ -f "$W/dchat-$MB.jsonl.zst" ] || python3 Benchmarks/decontam_bench_data.py chat "$W/dchat-$MB.jsonl.zst" "$MB" "$W/gen-evals.jsonl" $EVALS
[ -f "$W/dchat-$MB.jsonl" ] || zstd -dqf "$W/dchat-$MB.jsonl.zst" -o "$W/dchat-$MB.jsonl"
BYTES=$(stat -c %s "$W/dchat-$MB.jsonl")

R=$W/shares-bench; rm -rf "$R"; mkdir -p "$R"
cp Fixtures/evals/gsm8k-test.jsonl Fixtures/evals/ifbench-test.jsonl Fixtures/evals/humaneval.jsonl "$W/gen-evals.jsonl" "$R/"
cat > "$R/recipe.yaml" <<EOF
sources:
  chat: {paths: [$W/dchat-$MB.jsonl]}
stages:
  - name: clean
    kind: decontam
    inputs: [chat]
    evals: {gsm8k: gsm8k-test.jsonl, ifbench: ifbench-test.jsonl, humaneval: humaneval.jsonl, generated: gen-evals.jsonl}
    ngram: 8
    action: drop
EOF

secs() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
BINABS=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
declare -A T
for run in $(seq "$RUNS"); do
  rm -rf "$R/inline" "$R/tasks"
  T[inline]+="$(cd "$R" && secs "$BINABS" run recipe.yaml -o "$R/inline" --threads "$THREADS" --quiet) "
  T[tasks]+="$(cd "$R" && secs "$BINABS" run recipe.yaml -o "$R/tasks" --threads "$THREADS" --executor local --tasks "$TASKS" --quiet) "
done
TI=$(echo ${T[inline]} | tr ' ' '\n' | median); TT=$(echo ${T[tasks]} | tr ' ' '\n' | median)
echo "input: $(awk "BEGIN {printf \"%.0f\", $BYTES / 1e6}") MB of plain JSONL, $(wc -l < "$W/dchat-$MB.jsonl") records; $RUNS runs each (median)"
echo "inline: $TI s (runs: ${T[inline]})"
echo "--executor local --tasks $TASKS: $TT s (runs: ${T[tasks]})"
python3 - "$TI" "$TT" <<'EOF'
import sys
ti, tt = float(sys.argv[1]), float(sys.argv[2])
limit = 5 + 0.05 * ti
print(f"overhead: {tt - ti:+.2f} s ({(tt - ti) / ti * 100:+.1f}%); target <= 5 s + 5% = {limit:.2f} s: {'met' if tt - ti <= limit else 'NOT met'}")
EOF

# The same output: records in manifest order, matches, report minus timings.
records() { python3 -c "
import json, sys
m = json.load(open('$R/' + sys.argv[1] + '/clean/part.manifest.json'))
print(' '.join('$R/' + sys.argv[1] + '/clean/' + s['file'] for s in m['shards']))" "$1"; }
A=$(zstd -dc $(records inline) | md5sum | cut -d' ' -f1); B=$(zstd -dc $(records tasks) | md5sum | cut -d' ' -f1)
strip() { python3 -c "
import json, sys
o = json.load(open(sys.argv[1]))
for k in ['seconds', 'mb_per_s', 'bytes_out', 'shards']: o.pop(k, None)
print(json.dumps(o, sort_keys=True).replace(sys.argv[2], 'RUN'))" "$1" "$2"; }
if [ "$A" = "$B" ] && cmp -s "$R/inline/clean/matches.jsonl" "$R/tasks/clean/matches.jsonl" \
   && [ "$(strip "$R/inline/clean/decontam.report.json" "$R/inline")" = "$(strip "$R/tasks/clean/decontam.report.json" "$R/tasks")" ]; then
  echo "outputs: identical records (md5 $A), matches and report minus timings"
else
  echo "outputs: MISMATCH (records $A vs $B)"; exit 1
fi
