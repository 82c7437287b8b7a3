#!/usr/bin/env bash
# Tokenizer speed: encoding MB/s (GPT-2 and SmolLM2 tokenizers on real text) and BPE training time on
# ~100 MB of generated text. Compiles the tokenizer sources with a small driver (no package changes):
#   Benchmarks/tokenizer_bench.sh [text files...]   (default: ../shared/data/evals/*.jsonl)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${TMPDIR:-/tmp}/tokenizer-bench"
mkdir -p "$work/src"
rm -f "$work/src"/*.swift
# One module: the tokenizer files plus the Curation files they use, without the module import.
for f in "$root"/Sources/Trainer/Tokenizer/*.swift "$root"/Sources/Curation/JSON/*.swift \
         "$root"/Sources/Curation/Protocols/TokenCounter.swift "$root"/Sources/Curation/Records/Message.swift \
         "$root"/Sources/Curation/Errors.swift "$root"/Sources/Curation/IO/AtomicFile.swift \
         "$root"/Sources/Curation/Concurrency/OrderedParallel.swift; do
  sed '/^import Curation$/d' "$f" > "$work/src/$(basename "$(dirname "$f")")_$(basename "$f")"
done
cp "$root/Benchmarks/TokenizerBench/main.swift" "$work/src/main.swift"
swiftc -O -wmo -module-name TokenizerBench "$work"/src/*.swift -o "$work/bench"
cd "$root"; source Benchmarks/bench_header.sh; bench_start tokenizer_bench 1

texts=("$@")
if [ ${#texts[@]} -eq 0 ]; then texts=("$root"/../../shared/data/evals/*.jsonl); fi
[ -e "${texts[0]}" ] || texts=(/work/shared/data/evals/*.jsonl)
for t in gpt2 smollm2; do
  echo "== encode with $t"
  "$work/bench" encode "$root/Fixtures/tokenizers/$t/tokenizer.json" "${texts[@]}"
done
echo "== train (vocabulary 32000, ~100 MB generated text)"
[ -s "$work/train100.txt" ] || python3 "$root/Benchmarks/make_bpe_text.py" "$work/train100.txt" 100 "${texts[@]}"
[ "${SKIP_TRAIN:-0}" = 1 ] || for i in 1 2 3; do "$work/bench" train 32000 "$work/train100.txt" "$work/trained.json"; done
