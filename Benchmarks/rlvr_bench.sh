#!/usr/bin/env bash
# RLVR training throughput vs TRL's GRPOTrainer, side by side in the same run (a benchmark only: never in CI).
# Writes everything to Benchmarks/rlvr_bench.last.txt, with the machine at the top.
#
# The workload, the same on both sides:
#   - model: a tiny Llama (hidden 256, 4 layers, 4 heads, 2 KV heads, intermediate 704, tied embeddings,
#     SmolLM2's 49,152-token tokenizer from $TOKENIZER), random init with a fixed seed by transformers
#     (Benchmarks/rlvr_trl.py make), fp32; both load the same config.json + model.safetensors;
#   - data: 8 verifiable ifeval records (a GSM8K question + eight IFEval letter-frequency constraints whose
#     thresholds a random model meets about half the time, so no group has equal rewards and both sides
#     run forward and backward over every completion), rendered with the same ChatML template;
#   - settings: 2 prompts x 4 completions per step, every completion exactly 32 tokens (ours:
#     --min-completion-length 32; TRL: generation_kwargs min_new_tokens 32, so EOS is masked), loss grpo,
#     beta 0 (no reference model), 1 iteration, TRL with gradient checkpointing off (its default is on; off is faster), temperature 1, top-p 1, top-k off, lr 1e-6 constant,
#     clipping at norm 1, fp32; 2 threads each (torch.set_num_threads(2); curate-tool --threads 2).
# Each run trains STEPS steps (default 8); step 1 is the warm-up and is excluded. steps/s = timed steps /
# their summed wall seconds (ours: metrics.jsonl `seconds`, over the steps that scored every completion;
# TRL: on_step_begin -> on_step_end); rollout tokens/s = completion tokens / seconds of generation (ours:
# `rollout_seconds`, which also includes the rewards; TRL: time inside model.generate). RUNS runs each (default 3), alternating ours and TRL's; medians.
# Runs at real-time priority (chrt -f 50) when permitted, so other jobs do not share the cores; else plainly.
#
# usage: Benchmarks/rlvr_bench.sh [RUNS=3] [STEPS=8]
#   env: PY (a Python with torch, transformers, trl, accelerate, datasets; default /tmp/trlvenv/bin/python,
#        created with the pinned versions below when missing), CURATE_TOOL (default: a release build of this
#        tree), TOKENIZER (default /work/shared/data/tokenizers/smollm2/tokenizer.json), WORK (scratch dir)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
STEPS=${2:-8}
THREADS=2
G=4; P=2; L=32; LR=1e-6
TOKENIZER=${TOKENIZER:-/work/shared/data/tokenizers/smollm2/tokenizer.json}
WORK=${WORK:-$(mktemp -d /tmp/rlvr_bench.XXXXXX)}
# Pinned reference: torch's CPU wheel (PyPI carries 2.13.0+cpu), TRL and the libraries it was run with.
PINS=("torch==2.13.0+cpu" "trl==1.16.0" "transformers==5.25.0" "accelerate==1.16.0" "datasets==5.2.0")
PY=${PY:-/tmp/trlvenv/bin/python}
if [ ! -x "$PY" ]; then
  python3 -m venv "$(dirname "$(dirname "$PY")")"
  "$PY" -m pip install -q "${PINS[@]}" >&2
fi
if [ -z "${CURATE_TOOL:-}" ]; then
  swift build -c release --product curate-tool >&2
  CURATE_TOOL=.build/release/curate-tool
fi
RT=()
if chrt -f 50 true 2>/dev/null; then RT=(chrt -f 50); fi

BIN=$CURATE_TOOL
source Benchmarks/bench_header.sh
bench_start rlvr_bench "$THREADS (ours: --threads $THREADS; TRL: torch.set_num_threads($THREADS))"
echo "priority: ${RT[*]:-normal (chrt not permitted)}"
echo "runs: $RUNS each, alternating; $STEPS steps per run, step 1 (warm-up) excluded; medians"
echo "reference: $("$PY" -c 'import torch, transformers, trl, accelerate, datasets; print("trl", trl.__version__, "transformers", transformers.__version__, "torch", torch.__version__, "accelerate", accelerate.__version__, "datasets", datasets.__version__, "torch capability", torch.backends.cpu.get_cpu_capability())')"
echo "workload: $P prompts x $G completions per step, $L completion tokens each (min = max), loss grpo, beta 0, 1 iteration, temperature 1, lr $LR constant, fp32"
export TQDM_DISABLE=1 HF_HUB_DISABLE_PROGRESS_BARS=1
"${RT[@]}" "$PY" Benchmarks/rlvr_trl.py make "$WORK" --tokenizer "$TOKENIZER" --length $L 2>&1 | grep -v Warning

median() { printf '%s\n' "$@" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "n/a")}'; }
ours_sps=(); ours_tps=(); trl_sps=(); trl_tps=(); ratios=(); tratios=()
for i in $(seq "$RUNS"); do
  out="$WORK/ours-$i"; rm -rf "$out"
  "${RT[@]}" "$CURATE_TOOL" rlvr --model "$WORK/model" --data "$WORK/prompts.jsonl" --output "$out" --template chatml \
    --num-generations $G --batch-size $P --max-completion-length $L --min-completion-length $L --loss-type grpo --beta 0 \
    --num-iterations 1 --temperature 1 --lr $LR --schedule constant --epochs 1000 --max-steps "$STEPS" \
    --threads $THREADS --quiet > /dev/null
  # steps/s over the timed steps where every completion was scored (scored_completions = P x G), the
  # same forward/backward work as TRL's step (ours skips a completion whose advantage is exactly 0; TRL
  # runs it with a zero gradient); the figure over all timed steps follows it.
  read -r sps tps zero len full allsps pertok < <("$PY" - "$out/metrics.jsonl" $((P * G)) <<'EOF2'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])][1:]
full = [r for r in rows if r["scored_completions"] == int(sys.argv[2])]
print(f"{len(full) / sum(r['seconds'] for r in full):.4f}" if full else "nan", f"{sum(r['rollout_tokens'] for r in rows) / sum(r['rollout_seconds'] for r in rows):.1f}",
      f"{sum(r['frac_reward_zero_std'] for r in rows) / len(rows):.3f}", ",".join(str(v) for v in sorted({r['completion_length'] for r in rows})),
      f"{len(full)}/{len(rows)}", f"{len(rows) / sum(r['seconds'] for r in rows):.4f}",
      f"{sum(r['tokens'] for r in rows) / sum(r['scored_completions'] for r in rows):.1f}")
EOF2
)
  echo "run $i ours: steps/s $sps (the $full timed steps that scored all $((P * G)) completions; all timed steps: $allsps), rollout tokens/s $tps, frac_reward_zero_std $zero, completion lengths $len, tokens per scored sequence (prompt + completion) $pertok"
  trl=$("${RT[@]}" "$PY" Benchmarks/rlvr_trl.py run "$WORK" --steps "$STEPS" --threads $THREADS --num-generations $G \
        --batch-size $P --max-completion-length $L --lr $LR 2>"$WORK/trl-$i.log")
  tsps=$(echo "$trl" | awk '/^trl steps\/s:/ {print $3}'); ttps=$(echo "$trl" | awk '/^trl rollout tokens\/s:/ {print $4}')
  echo "run $i TRL: steps/s $tsps, rollout tokens/s $ttps, $(echo "$trl" | grep -E '^trl (frac|prompt)' | tr '\n' ' ')"
  ours_sps+=("$sps"); ours_tps+=("$tps"); trl_sps+=("$tsps"); trl_tps+=("$ttps")
  ratios+=("$(awk -v a="$sps" -v b="$tsps" 'BEGIN {printf "%.2f", a / b}')")
  tratios+=("$(awk -v a="$tps" -v b="$ttps" 'BEGIN {printf "%.2f", a / b}')")
done
os=$(median "${ours_sps[@]}"); ts=$(median "${trl_sps[@]}"); ot=$(median "${ours_tps[@]}"); tt=$(median "${trl_tps[@]}")
echo
echo "| median of $RUNS runs | curate-tool rlvr | TRL GRPOTrainer | ours / TRL |"
echo "|---|---|---|---|"
echo "| steps/s | $os | $ts | $(awk -v a="$os" -v b="$ts" 'BEGIN {printf "%.2fx", a / b}') |"
echo "| rollout tokens/s | $ot | $tt | $(awk -v a="$ot" -v b="$tt" 'BEGIN {printf "%.2fx", a / b}') |"
echo "per-run ratios: steps/s ${ratios[*]}; rollout tokens/s ${tratios[*]}"
