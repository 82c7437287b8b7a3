#!/usr/bin/env bash
# Decode throughput: `curate-tool bench generate --batch 1,8` on SmolLM2-135M-Instruct Q4_1 (GGUF), from the
# quantized blocks and from the fp32 weights (--fp32-weights), each next to llama.cpp on the same GGUF
# (llama-bench for one stream, llama-batched-bench for 8 sequences; runs alternate with ours) when
# Benchmarks/build_llama_cpp.sh has built it, and transformers (generate_transformers.py) when torch and
# transformers import. Writes everything to Benchmarks/generate_bench.last.txt, with the machine at the top.
# usage: Benchmarks/generate_bench.sh [RUNS=3]
#   env: THREADS (default 2), SMOLLM2_GGUF (default: scripts/fetch-smollm2.sh), LLAMA_BENCH (default: the
#        newest llama-bench under ~/.cache/curate/llama.cpp), CURATE_TOOL (default: a release build of this tree)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
THREADS=${THREADS:-2}
if [ -z "${CURATE_TOOL:-}" ]; then
  swift build -c release --product curate-tool >&2
  CURATE_TOOL=.build/release/curate-tool
fi
GGUF=${SMOLLM2_GGUF:-$(bash scripts/fetch-smollm2.sh)}
LLAMA=${LLAMA_BENCH:-$(ls -t "${HOME:-/tmp}"/.cache/curate/llama.cpp/build-*/bin/llama-bench 2>/dev/null | head -1 || true)}

BIN=$CURATE_TOOL
source Benchmarks/bench_header.sh
bench_start generate_bench "$THREADS (ours, llama.cpp, transformers)"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
echo "runs: $RUNS after one warm-up, medians"
echo "model: $GGUF"
echo "curate-tool: $CURATE_TOOL"
LLAMA_ARGS=()
if [ -n "$LLAMA" ] && [ -x "$LLAMA" ]; then
  echo "llama.cpp: $LLAMA ($(basename "$(dirname "$(dirname "$LLAMA")")"))"
  LLAMA_ARGS=(--llama-bench "$LLAMA")
else
  echo "llama.cpp: not built (Benchmarks/build_llama_cpp.sh builds it); reference skipped"
fi
echo "transformers: $(python3 -c 'import torch, transformers, gguf; print("transformers", transformers.__version__, "torch", torch.__version__, "gguf", gguf.__version__ if hasattr(gguf, "__version__") else "present")' 2>/dev/null || echo 'torch, transformers or gguf (needed to read the GGUF) not importable; reference skipped')"

for path in quantized fp32; do
  FLAGS=(); [ $path = fp32 ] && FLAGS=(--fp32-weights)
  echo
  echo "== $path: curate-tool bench generate --model GGUF --batch 1,8 --runs $RUNS --threads $THREADS ${FLAGS[*]} ${LLAMA_ARGS[*]:+--llama-bench LLAMA}"
  "$CURATE_TOOL" bench generate --model "$GGUF" --batch 1,8 --runs "$RUNS" --threads "$THREADS" "${FLAGS[@]}" "${LLAMA_ARGS[@]}"
done
