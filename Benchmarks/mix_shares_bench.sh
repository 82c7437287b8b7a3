#!/usr/bin/env bash
# A mix stage run as tasks (issue 20): scan, one plan task, gather and write phases, then the merge, against
# the inline mix, over MEGABYTES of plain ~1 KB chat records read as two sources (one deduplicated with a
# `fraction`, one with a `count` amount, so dedupe, the counting pass and the global shuffle all run). Both
# at the same --threads, RUNS times each into fresh run directories; prints the medians, the overhead and
# the time of each phase of the last tasks run, and checks both wrote the same records in the same order and
# the same report minus timings and the shuffle's spill statistics. On a machine with fewer cores than tasks the tasks share the cores, so this
# measures what the phases cost (every source read twice by the tasks as inline, plus the scan and plan
# files, the sorted gather runs and the merge), not a speed-up.
# usage: Benchmarks/mix_shares_bench.sh [MEGABYTES=1000] [RUNS=3] [TASKS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-1000}; RUNS=${2:-3}; TASKS=${3:-4}
THREADS=${THREADS:-$(nproc)}
W=${BENCH_DIR:-/tmp/curate-bench}; mkdir -p "$W"
python3 -c "import zstandard, xxhash" 2>/dev/null || pip install -q zstandard xxhash
if [ -z "${BIN:-}" ]; then swift build -c release --product curate-tool >/dev/null; BIN=.build/release/curate-tool; fi
source Benchmarks/bench_header.sh; bench_start mix_shares_bench "$THREADS (inline), $THREADS/$TASKS per task"
EVALS="Fixtures/evals/gsm8k-test.jsonl Fixtures/evals/ifbench-test.jsonl Fixtures/evals/humaneval.jsonl"
[ -f "$W/gen-evals.jsonl" ] || python3 Benchmarks/decontam_bench_data.py evals "$W/gen-evals.jsonl" 18000
[ -f "$W/dchat-$MB.jsonl.zst" ] || python3 Benchmarks/decontam_bench_data.py chat "$W/dchat-$MB.jsonl.zst" "$MB" "$W/gen-evals.jsonl" $EVALS
[ -f "$W/dchat-$MB.jsonl" ] || zstd -dqf "$W/dchat-$MB.jsonl.zst" -o "$W/dchat-$MB.jsonl"
BYTES=$(stat -c %s "$W/dchat-$MB.jsonl")
LINES=$(wc -l < "$W/dchat-$MB.jsonl")

R=$W/mix-shares-bench; rm -rf "$R"; mkdir -p "$R"
cat > "$R/recipe.yaml" <<EOF
seed: 7
sources:
  chat: {paths: [$W/dchat-$MB.jsonl]}
stages:
  - name: mix
    kind: mix
    inputs: [chat]
    dedupe: true
    sources:
      - name: general
        input: chat
        amount: {fraction: 0.5}
      - name: again
        input: chat
        dedupe: false
        amount: {count: $((LINES / 4))}
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
echo "input: $(awk "BEGIN {printf \"%.0f\", $BYTES / 1e6}") MB of plain JSONL, $LINES records, read as two sources; $RUNS runs each (median)"
echo "inline: $TI s (runs: ${T[inline]})"
echo "--executor local --tasks $TASKS: $TT s (runs: ${T[tasks]})"
python3 - "$TI" "$TT" <<'EOF'
import sys
ti, tt = float(sys.argv[1]), float(sys.argv[2])
print(f"overhead: {tt - ti:+.2f} s ({(tt - ti) / ti * 100:+.1f}%); tasks/inline {tt / ti:.2f}x")
EOF
echo "phases of the last tasks run (seconds per task, from STAGE/tasks/*.state.json):"
python3 - "$R/tasks/mix/tasks" <<'EOF'
import json, glob, os, sys, collections
by = collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.state.json"))):
    s = json.load(open(f))
    by[s.get("phase", "write (shares)")].append(s.get("seconds") or 0)
for phase in ["scan", "plan", "gather", "write (shares)"]:
    if phase in by: print(f"  {phase:15s} " + " ".join(f"{x:.2f}" for x in by[phase]))
EOF

records() { python3 -c "
import json, sys
m = json.load(open('$R/' + sys.argv[1] + '/mix/part.manifest.json'))
print(' '.join('$R/' + sys.argv[1] + '/mix/' + s['file'] for s in m['shards']))" "$1"; }
A=$(zstd -dc $(records inline) | md5sum | cut -d' ' -f1); B=$(zstd -dc $(records tasks) | md5sum | cut -d' ' -f1)
strip() { python3 -c "
import json, sys
o = json.load(open(sys.argv[1]))
for k in ['seconds', 'mb_per_s', 'bytes_out', 'shards']: o.pop(k, None)
# The shuffle's spills depend on the memory each process has (the tasks' gathers spill their own).
for k in ['runs_spilled', 'bytes_spilled']: o.get('shuffle', {}).pop(k, None)
print(json.dumps(o, sort_keys=True).replace(sys.argv[2], 'RUN'))" "$1" "$2"; }
if [ "$A" = "$B" ] && [ "$(strip "$R/inline/mix/report.json" "$R/inline")" = "$(strip "$R/tasks/mix/report.json" "$R/tasks")" ]; then
  echo "outputs: identical records (md5 $A) and report minus timings and spill statistics"
else
  echo "outputs: MISMATCH (records $A vs $B)"; exit 1
fi
