#!/usr/bin/env bash
# The language-ID benchmark (issue 15): accuracy of LanguageID per language on held-out text from another
# source than its training text (Fixtures/langid/heldout.jsonl: translated GTK/GLib/gsettings strings, Firefox's
# Urdu strings, hand-written Swahili; see Fixtures/README.md), for 5+-word sentences and for paragraphs, the
# overall accuracy, the most frequent confusions, and speed in MB/s of text on one core (median of 3 passes),
# all from `curate-tool langid --eval` on a release build.
# usage: Benchmarks/langid_bench.sh [HELDOUT=Fixtures/langid/heldout.jsonl] [PASSES=3]
set -euo pipefail
cd "$(dirname "$0")/.."
HELDOUT=${1:-Fixtures/langid/heldout.jsonl}; PASSES=${2:-3}
swift build -c release --product curate-tool >/dev/null
BIN=.build/release/curate-tool
source Benchmarks/bench_header.sh; bench_start langid_bench 1
echo "held-out: $HELDOUT ($(wc -l < "$HELDOUT") texts, $(wc -c < "$HELDOUT") bytes of JSONL)"
echo "command: $BIN langid --eval $HELDOUT --passes $PASSES"
echo
taskset -c 0 "$BIN" langid --eval "$HELDOUT" --passes "$PASSES"
