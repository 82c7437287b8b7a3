#!/usr/bin/env bash
# The Slurm executor's submission pattern at scale (issue 21), on the one-node cluster of
# scripts/slurm-cluster.sh: a stage of TASKS trivial shares split into job arrays of at most MaxArraySize
# (1001) tasks, submitted side by side, each array exporting CURATE_SHARD_OFFSET so a task's share is
# CURATE_SHARD_OFFSET + SLURM_ARRAY_TASK_ID; each task writes its completion record shares/sIofN.json;
# then a merge job with afterok on every array (and --kill-on-invalid-dep=yes), as the executor submits it.
# Reports the submit time, the completion time and the task rate, and checks that every share ran exactly
# once with the right index and that nothing is left in the queue (no job stuck on its dependency).
# usage: Benchmarks/slurm_array_bench.sh [TASKS=5000] [TIMEOUT_SECONDS=1800]
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${1:-5000}; TIMEOUT=${2:-1800}
W=${BENCH_DIR:-/tmp/curate-bench}/slurm-array; rm -rf "$W"; mkdir -p "$W/tasks" "$W/shares"
SLURM_MAX_ARRAY_SIZE=1001 bash scripts/slurm-cluster.sh
source Benchmarks/bench_header.sh; bench_start slurm_array_bench "$(sinfo -h -o %c | head -n1) Slurm CPUs (one node)"
echo "slurm: $(sinfo -V), $(scontrol show config | grep -E '^(MaxArraySize|MaxJobCount|SelectTypeParameters|SchedulerParameters) ' | tr -s ' ' | tr '\n' ';')"
MAXA=$(scontrol show config | awk '$1 == "MaxArraySize" {print $3}')
echo "tasks: $TASKS, MaxArraySize: $MAXA"

# The task script: what `curate-tool run-task TASKFILE --shard env` does for the file protocol, minus the work.
cat > "$W/tasks/task.sh" <<'TASK'
#!/bin/sh
i=$((CURATE_SHARD_OFFSET + SLURM_ARRAY_TASK_ID))
printf '{"share":%d,"count":%d,"job":"%s_%s"}\n' "$i" "$CURATE_SHARD_COUNT" "$SLURM_ARRAY_JOB_ID" "$SLURM_ARRAY_TASK_ID" > "$BENCH_SHARES/s${i}of$CURATE_SHARD_COUNT.json.tmp"
mv "$BENCH_SHARES/s${i}of$CURATE_SHARD_COUNT.json.tmp" "$BENCH_SHARES/s${i}of$CURATE_SHARD_COUNT.json"
TASK
chmod +x "$W/tasks/task.sh"

t0=$(date +%s.%N)
ids=()
offset=0
n=0
while [ $offset -lt "$TASKS" ]; do
  k=$(( TASKS - offset < MAXA ? TASKS - offset : MAXA ))
  cat > "$W/tasks/array-$n.sbatch" <<SB
#!/bin/sh
#SBATCH --job-name=bench-stage
#SBATCH --oversubscribe
#SBATCH --array=0-$((k - 1))
#SBATCH --output=$W/tasks/slurm-%A_%a.log
export CURATE_SHARD_COUNT=$TASKS
export CURATE_SHARD_OFFSET=$offset
export BENCH_SHARES=$W/shares
exec $W/tasks/task.sh
SB
  ids+=("$(sbatch --parsable "$W/tasks/array-$n.sbatch")")
  offset=$((offset + k)); n=$((n + 1))
done
dep=$(IFS=:; echo "${ids[*]}")
merge=$(sbatch --parsable --dependency="afterok:$dep" --kill-on-invalid-dep=yes --oversubscribe --job-name=bench-merge \
  --output="$W/tasks/merge.log" --wrap "ls $W/shares | grep -c '^s.*of$TASKS.json\$' > $W/merged.txt")
t1=$(date +%s.%N)
echo "submitted: ${#ids[@]} arrays (${ids[*]}) + merge job $merge in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s"

# Wait (bounded) until nothing of ours is queued; squeue every second, like the executor's backoff ceiling.
all="$(IFS=,; echo "${ids[*]}"),$merge"
deadline=$(( $(date +%s) + TIMEOUT ))
last=""
while :; do
  q=$(squeue -h -j "$all" -o '%i|%T|%r' 2>/dev/null || true)
  [ -z "$q" ] && break
  if echo "$q" | grep -q 'DependencyNeverSatisfied'; then echo "STUCK: $(echo "$q" | grep DependencyNeverSatisfied | head -3)"; exit 1; fi
  if [ "$(date +%s)" -ge $deadline ]; then echo "TIMEOUT after $TIMEOUT s; still queued:"; echo "$q" | head -10; exit 1; fi
  done_now=$(ls "$W/shares" | grep -c 'json$' || true)
  stamp=$(( $(date +%s) / 30 ))
  if [ "$stamp" != "$last" ]; then echo "  $(date -u +%H:%M:%S) $done_now/$TASKS records"; last=$stamp; fi
  sleep 1
done
t2=$(date +%s.%N)

records=$(ls "$W/shares" | grep -c "^s[0-9]*of$TASKS.json\$" || true)
bad=0
for i in $(seq 0 $((TASKS - 1))); do
  grep -q "\"share\":$i,\"count\":$TASKS," "$W/shares/s${i}of$TASKS.json" 2>/dev/null || bad=$((bad + 1))
done
merged=$(cat "$W/merged.txt" 2>/dev/null || echo missing)
mstate=$(scontrol show job "$merge" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n1 || echo "JobState=forgotten")
echo "completed: $records/$TASKS completion records, $bad wrong or missing; merge job $mstate, counted $merged"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$TASKS" 'BEGIN {
  printf "submit: %.2f s; submit to last task and merge done: %.1f s; %.1f tasks/s\n", b - a, c - a, n / (c - a) }'
[ "$records" = "$TASKS" ] && [ $bad = 0 ] && [ "$merged" = "$TASKS" ] && echo "ok: every share ran once with its global index; nothing stuck" || { echo "FAILED"; exit 1; }
