#!/usr/bin/env bash
# Language-ID speed, two builds side by side (issue 15): this VM's speed drifts by 15% or more between minutes, so a
# speed-up is measured by alternating the OLD and NEW binaries in the same minutes, ROUNDS times, each running
# `langid --eval HELDOUT --passes 3` pinned to core 0, and comparing the medians of all their passes.
# usage: Benchmarks/langid_speed_ab.sh OLD_BIN NEW_BIN [ROUNDS=5] [HELDOUT=Fixtures/langid/heldout.jsonl]
# (build OLD_BIN from the earlier commit: git worktree add /tmp/old REV && (cd /tmp/old && swift build -c release))
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1; NEW=$2; ROUNDS=${3:-5}; HELDOUT=${4:-Fixtures/langid/heldout.jsonl}
BIN=$NEW
source Benchmarks/bench_header.sh; bench_start langid_speed_ab 1
echo "old: $OLD ($(sha256sum "$OLD" | cut -c1-12)), new: $NEW ($(sha256sum "$NEW" | cut -c1-12)), $ROUNDS rounds"
echo "command: taskset -c 0 BIN langid --eval $HELDOUT --passes 3 (alternating old, new)"
all_old=(); all_new=()
for r in $(seq "$ROUNDS"); do
  for which in old new; do
    b=$OLD; [ "$which" = new ] && b=$NEW
    line=$(taskset -c 0 "$b" langid --eval "$HELDOUT" --passes 3 | grep '^speed')
    rates=$(echo "$line" | sed 's/.*thread: //; s/ MB\/s.*//' | tr -d ',')
    echo "round $r $which: $rates MB/s"
    if [ "$which" = old ]; then all_old+=($rates); else all_new+=($rates); fi
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mo=$(median "${all_old[@]}"); mn=$(median "${all_new[@]}")
echo "median of all passes: old $mo MB/s, new $mn MB/s; new/old $(awk -v a="$mn" -v b="$mo" 'BEGIN {printf "%.2f", a / b}')x"
