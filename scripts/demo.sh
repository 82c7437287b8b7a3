#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the Fixtures recipe end to end.
# Outputs go to ./out (override with OUT=...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product curate-tool
BIN=.build/release/curate-tool
OUT=${OUT:-out}
mkdir -p "$OUT"
echo "== stats over the fixture training sources =="
$BIN stats Fixtures/train
echo "== convert: validate and reshard the fixture sources into zstd shards =="
$BIN convert Fixtures/train --output "$OUT/converted" --max-records 100
echo "demo outputs are in $OUT/"
