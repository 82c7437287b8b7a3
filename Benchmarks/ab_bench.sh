#!/usr/bin/env bash
# A/B of two curate-tool binaries over every benchmark's workload, alternating OLD and NEW run by run so
# that the machine's drift hits both alike. Used to check that a change (e.g. a build-flag change such as
# dropping -Ounchecked) keeps each benchmark within 5%: each benchmark's reference (Python, PyTorch,
# transformers) is the same program for both binaries, so "ratio to the reference within 5% of the parent
# commit's" is the same statement as "NEW / OLD time within 5%", measured here without the reference's own
# noise. Prints per workload the median seconds (or tokens/s) of each binary and NEW/OLD; writes all of it
# to Benchmarks/ab_bench.last.txt.
# usage: Benchmarks/ab_bench.sh OLD_BIN NEW_BIN [RUNS=3] [MB=200]
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$(realpath "$1"); NEW=$(realpath "$2"); RUNS=${3:-3}; MB=${4:-200}
W=${BENCH_DIR:-/tmp/curate-ab}; mkdir -p "$W"
OUT=Benchmarks/ab_bench.last.txt
python3 -c "import zstandard, xxhash" 2>/dev/null || pip install -q zstandard xxhash
exec > >(tee "$OUT") 2>&1
echo "ab_bench: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o 'avx512f\|avx2\|fma' | sort -u | tr '\n' ' ')"
echo "blas: OpenBLAS $(set +o pipefail; OPENBLAS_VERBOSE=2 "$NEW" bench train --no-torch --steps 1 --warmup 0 2>&1 | grep -m1 -i 'core:' || echo 'core: not printed'), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, threads: 2 (bench train, bench generate), 1 pinned or 2 as each row says"
echo "old: $OLD"; echo "new: $NEW"; echo "runs: $RUNS (alternating old/new), data: $MB MB"
PIN=""; command -v taskset >/dev/null && PIN="taskset -c 0"

# Data, made once.
[ -f "$W/chat.jsonl.zst" ] || python3 Benchmarks/gen_chat.py "$W/chat.jsonl.zst" "$MB" >/dev/null
EVALS="Fixtures/evals/gsm8k-test.jsonl Fixtures/evals/ifbench-test.jsonl Fixtures/evals/humaneval.jsonl"
[ -f "$W/gen-evals.jsonl" ] || python3 Benchmarks/decontam_bench_data.py evals "$W/gen-evals.jsonl" 18000
[ -f "$W/dchat.jsonl.zst" ] || python3 Benchmarks/decontam_bench_data.py chat "$W/dchat.jsonl.zst" "$MB" "$W/gen-evals.jsonl" $EVALS
for i in 1 2 3 4 5; do [ -f "$W/src$i.jsonl.zst" ] || python3 Benchmarks/gen_chat.py "$W/src$i.jsonl.zst" $((MB / 5)) "$i" >/dev/null; done
printf 'seed: 42\nsources:\n' > "$W/mix.yaml"
AM=("fraction: 0.5" "repeat: 1.5" "fraction: 0.8" "repeat: 1.2" "fraction: 0.3")
for i in 1 2 3 4 5; do echo "  - {name: s$i, paths: [$W/src$i.jsonl.zst], ${AM[$((i-1))]}}" >> "$W/mix.yaml"; done
[ -f "$W/samples.jsonl" ] || python3 -c "import sys; sys.path.insert(0, 'Benchmarks'); import vote_bench; vote_bench.generate('$W/samples.jsonl', 30000, 'list')"
[ -f "$W/pool.jsonl" ] || python3 Benchmarks/gen_s1_pool.py "$W/pool.jsonl" 20000 >/dev/null
[ -s "$W/chat-20k.jsonl" ] || (set +o pipefail; zstd -dc "$W/chat.jsonl.zst" | head -n 20000 > "$W/chat-20k.jsonl")
for b in old new; do
  B=$OLD; [ $b = new ] && B=$NEW
  rm -f "$W/idx-$b.sqlite"
  $B decontam index --eval gsm8k=Fixtures/evals/gsm8k-test.jsonl --eval humaneval=Fixtures/evals/humaneval.jsonl \
    --eval ifbench=Fixtures/evals/ifbench-test.jsonl --eval math500=Fixtures/evals/mmath-en.jsonl --select math500:data_source=MATH500 \
    --eval generated="$W/gen-evals.jsonl" --output "$W/idx-$b.sqlite" --quiet
done
GGUF=${SMOLLM2_GGUF:-$(bash scripts/fetch-smollm2.sh 2>/dev/null || true)}

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}'; }
lastnum() { "$@" 2>/dev/null | grep "$PAT" | tail -1 | grep -oE '[0-9]+(\.[0-9]+)?' | tail -1; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# name | kind (time: lower is better; rate: higher is better) | command with @B@ for the binary and @b@ for old/new
WORK=(
  "convert 1 core|time|$PIN @B@ convert $W/chat.jsonl.zst -o $W/conv-@b@ --threads 1 --quiet"
  "decontam scan 1 core|time|$PIN @B@ decontam scan --index $W/idx-@b@.sqlite --input $W/dchat.jsonl.zst --output $W/scan-@b@ --threads 1 --quiet"
  "mix 2 threads|time|@B@ mix --recipe $W/mix.yaml -o $W/mix-@b@ --threads 2 --memory 256MB --quiet"
  "vote 240k completions|time|@B@ vote --input $W/samples.jsonl --output $W/voted-@b@.jsonl"
  "select 1000 of 20k|time|@B@ select --input $W/pool.jsonl --target 1000 --seed 7 -o $W/gold-@b@.jsonl --quiet"
  "tokenize --count 20k chat|time|@B@ tokenize --tokenizer Fixtures/tokenizers/smollm2 --input $W/chat-20k.jsonl --count --quiet"
  "bench train (tokens/s)|rate|@B@ bench train --no-torch"
)
if [ -n "$GGUF" ] && [ -f "$GGUF" ]; then
  WORK+=("bench generate Q4_1 batch 1 (tokens/s)|rate|@B@ bench generate --model $GGUF --batch 1 --new-tokens 64 --runs 1 --no-reference")
  WORK+=("bench generate fp32 batch 8 (tokens/s)|rate|@B@ bench generate --model $GGUF --batch 8 --new-tokens 32 --runs 1 --no-reference --fp32-weights")
fi

printf "\n%-42s %12s %12s %9s\n" "workload" "old" "new" "new/old"
for w in "${WORK[@]}"; do
  IFS='|' read -r name kind cmd <<< "$w"
  declare -A V=([old]="" [new]="")
  for r in $(seq "$RUNS"); do
    for b in old new; do
      B=$OLD; [ $b = new ] && B=$NEW
      c=${cmd//@B@/$B}; c=${c//@b@/$b}
      if [ "$kind" = time ]; then v=$(secs $c); else PAT='tokens/s'; v=$(lastnum $c); fi
      V[$b]+="$v "
    done
  done
  mo=$(echo "${V[old]}" | median); mn=$(echo "${V[new]}" | median)
  printf "%-42s %12s %12s %9s   (old: %s| new: %s)\n" "$name" "$mo" "$mn" "$(awk -v a="$mo" -v b="$mn" 'BEGIN {if (a > 0) printf "%.3f", b / a; else print "n/a"}')" "${V[old]}" "${V[new]}"
done
echo "(time rows: seconds, lower is better; rate rows: tokens/s, higher is better)"
