#!/usr/bin/env bash
# Training throughput vs PyTorch, side by side in the same run, written whole to Benchmarks/train_bench.last.txt.
#  1. `curate-tool bench train` on the reference configuration, N times (default 3), each run next to
#     Benchmarks/train_torch.py (2 threads both), with no environment variable set: tokens/s, ratio, medians.
#  2. The same with AVX2 forced on both sides (OPENBLAS_CORETYPE=Haswell; PyTorch ATEN_CPU_CAPABILITY=avx2,
#     MKL_ENABLE_INSTRUCTIONS=AVX2, ONEDNN_MAX_CPU_ISA=AVX2).
#  3. sgemm GFLOP/s (n=1024, 2 threads) as `bench train` gets it vs the same OpenBLAS with each core type this
#     CPU can run forced: the kernel choice should reach >= 85% of the best.
#  4. SmolLM2-135M SFT at sequence 512: tokens/s and peak RSS (when the GGUF is available: scripts/fetch-smollm2.sh).
# BIN=path runs another binary (default: a fresh release build).
# usage: Benchmarks/train_bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3}
if [ -z "${BIN:-}" ]; then swift build -c release --product curate-tool >&2; BIN=.build/release/curate-tool; fi
unset OPENBLAS_CORETYPE ATEN_CPU_CAPABILITY MKL_ENABLE_INSTRUCTIONS ONEDNN_MAX_CPU_ISA
source Benchmarks/bench_header.sh
bench_start train_bench 2
echo "runs: $N, binary: $BIN"
"$BIN" doctor --threads 2 | grep -E '^blas core type:' || true
python3 -c 'import torch; print("pytorch:", torch.__version__, "capability:", torch.backends.cpu.get_cpu_capability())' 2>/dev/null \
  || echo "pytorch: not installed (ratios skipped)"
median() { printf '%s\n' "$@" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "n/a")}'; }

run_set() {  # run_set LABEL [ENV=VALUE...]
  local label=$1; shift
  local ours=() ratios=() torch=()
  for i in $(seq "$N"); do
    out=$(env "$@" "$BIN" bench train 2>&1)
    echo "$out" | grep -E "^(sgemm|pytorch|ratio|tokens/s)" | sed "s/^/$label run $i: /"
    ours+=("$(echo "$out" | awk '/^tokens\/s:/ {print $2}')")
    torch+=("$(echo "$out" | awk '/^pytorch tokens\/s:/ {print $3}')")
    ratios+=("$(echo "$out" | awk '/^ratio/ {print $NF}')")
  done
  echo "$label: median tokens/s ours $(median "${ours[@]}"), pytorch $(median "${torch[@]}"), median ratio (ours / pytorch) $(median "${ratios[@]}")"
}

echo "== 1. reference configuration, no environment variable set"
run_set default
echo "== 2. AVX2 forced on both sides"
run_set avx2 OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2

echo "== 3. sgemm at n=1024, 2 threads: as chosen vs each core type this CPU runs, forced (median of $N)"
flags=$(grep -m1 '^flags' /proc/cpuinfo)
types="Sandybridge"
echo "$flags" | grep -qw avx2 && types="$types Haswell Zen"
echo "$flags" | grep -qw avx512f && echo "$flags" | grep -qw avx512bw && echo "$flags" | grep -qw avx512vl && types="$types SkylakeX"
echo "$flags" | grep -qw avx512_bf16 && types="$types Cooperlake"
gf() { env "$@" "$BIN" bench train --sgemm-only --threads 2 2>&1 | awk '/^sgemm:/ {print $2}'; }
chosen=(); declare -A forced
for i in $(seq "$N"); do
  chosen+=("$(gf)")
  for t in $types; do forced[$t]="${forced[$t]:-} $(gf OPENBLAS_CORETYPE=$t)"; done
done
c=$(median "${chosen[@]}"); best=0; bestt=""
echo "sgemm as chosen: $c GFLOP/s (runs: ${chosen[*]})"
for t in $types; do
  m=$(median ${forced[$t]}); echo "sgemm forced $t: $m GFLOP/s (runs:${forced[$t]})"
  if awk -v a="$m" -v b="$best" 'BEGIN {exit !(a > b)}'; then best=$m; bestt=$t; fi
done
echo "sgemm as chosen / best forced ($bestt): $(awk -v a="$c" -v b="$best" 'BEGIN {printf "%.3f", a / b}')"

GGUF=${SMOLLM2_GGUF:-$(bash scripts/fetch-smollm2.sh 2>/dev/null || true)}
echo "== 4. SmolLM2-135M SFT, sequence 512, batch 1"
if [ -n "$GGUF" ] && [ -s "$GGUF" ]; then
  "$BIN" bench train --smollm2 "$GGUF" --warmup 1 --steps 3 2>&1 | grep -E "^(smollm2|tokens/s)"
else
  echo "skipped: no SmolLM2 GGUF (scripts/fetch-smollm2.sh)"
fi
