#!/usr/bin/env bash
# Training throughput vs PyTorch: runs `curate-tool bench train` N times (default 3) on the reference
# configuration and prints each run's ratio and the medians; then SmolLM2-135M SFT tokens/s and peak RSS
# at sequence 512 when the GGUF is available (scripts/fetch-smollm2.sh).
# usage: Benchmarks/train_bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3}
swift build -c release --product curate-tool >&2
BIN=.build/release/curate-tool
ours=(); ratios=()
for i in $(seq "$N"); do
  out=$($BIN bench train 2>&1)
  echo "$out" | grep -E "sgemm|pytorch|ratio|^tokens/s" | sed "s/^/run $i: /"
  ours+=("$(echo "$out" | awk '/^tokens\/s:/ {print $2}')")
  r=$(echo "$out" | awk '/^ratio/ {print $NF}'); [ -n "$r" ] && ratios+=("$r")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median tokens/s: $(median "${ours[@]}")"
[ ${#ratios[@]} -gt 0 ] && echo "median ratio (ours / pytorch): $(median "${ratios[@]}")"
GGUF=${SMOLLM2_GGUF:-$(bash scripts/fetch-smollm2.sh 2>/dev/null || true)}
if [ -n "$GGUF" ] && [ -s "$GGUF" ]; then
  $BIN bench train --smollm2 "$GGUF" --warmup 1 --steps 3 2>&1 | tail -2
fi
