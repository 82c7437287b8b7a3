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
