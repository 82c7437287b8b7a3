#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/, `swift build --sanitize=fuzzer`) and runs each for SECONDS on a
# copy of its seed corpus (Fuzz/Corpus/<target>; the committed corpus never grows). Fails when any
# target crashes, times out on one input, runs out of memory or breaks an invariant, printing the
# reproducer. CI runs `scripts/fuzz.sh 30`: build + all targets in at most 6 minutes on 2 cores.
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]      (default 30 s, every target)
#   FUZZ_JOBS=N        targets run at once (default: the number of cores, at most 4)
#   FUZZ_SCRATCH=DIR   build folder (default Fuzz/.build)
#   FUZZ_KEEP=DIR      keep the grown corpora and the logs in DIR (default: a temporary folder, removed)
# Reproduce a finding: CURATE_FUZZ_TARGET=<target> <binary> <reproducer file>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
case "$seconds" in ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2 ;; esac
scratch=${FUZZ_SCRATCH:-Fuzz/.build}
cores=$(nproc 2>/dev/null || echo 2)
jobs=${FUZZ_JOBS:-$(( cores < 4 ? cores : 4 ))}
started=$(date +%s)

# Debug (-Onone): a cold build measured ~210 CPU-seconds (about 2 minutes on 2 idle cores), leaving the
# rest of the 6-minute CI budget to fuzzing; release's whole-module optimisation of GRDB, Curation and
# Trainer would cost more build time than its faster inputs win back in 30 s runs.
build=(swift build --package-path Fuzz --scratch-path "$scratch" -c debug --sanitize=fuzzer --product curate-fuzz)
echo "fuzz: building ($(printf '%s ' "${build[@]}"))" >&2
"${build[@]}" >&2
bin="$("${build[@]}" --show-bin-path)/curate-fuzz"
built=$(date +%s)
echo "fuzz: built in $((built - started)) s" >&2

# libFuzzer owns crash reporting: the Swift runtime's backtracer would otherwise catch the signal first.
export SWIFT_BACKTRACE=enable=no
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(CURATE_FUZZ_TARGET=list "$bin"); fi
if [ "${#targets[@]}" -eq 0 ]; then echo "fuzz: $bin lists no targets" >&2; exit 1; fi

work=${FUZZ_KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/curate-fuzz.XXXXXX")}
mkdir -p "$work"
[ -n "${FUZZ_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# Options per target. The answer parser's known issues (issue 13: stack overflow on 50k-level nesting,
# quadratic extraction) need inputs of 100 KB and more: cap its inputs at 4 KB until they are fixed.
options_for() {
  case "$1" in
    answer) echo "-max_len=4096" ;;
    *) echo "" ;;
  esac
}

run_target() {  # run_target NAME: writes libFuzzer's exit status to $work/NAME.status
  local t=$1 corpus="$work/corpus-$t" artifacts="$work/artifacts-$t/" status=0
  rm -rf "$corpus" "$artifacts"; mkdir -p "$corpus" "$artifacts"
  if [ -d "Fuzz/Corpus/$t" ]; then cp -R "Fuzz/Corpus/$t/." "$corpus/"; fi
  # shellcheck disable=SC2046
  CURATE_FUZZ_TARGET=$t "$bin" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$artifacts" -print_final_stats=1 $(options_for "$t") >"$work/$t.log" 2>&1 || status=$?
  echo "$status" >"$work/$t.status"
}

report() {  # report NAME STATUS
  local t=$1 status=$2
  local stats; stats=$(grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/$t.log" | tr '\n' ' ' || true)
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $t ok ($stats)" >&2
    return 0
  fi
  echo "fuzz: $t FAILED (libFuzzer exit $status); the end of its log:" >&2
  tail -n 40 "$work/$t.log" >&2
  local saved="$scratch/findings/$t"
  mkdir -p "$saved"
  for f in "$work/artifacts-$t/"*; do
    [ -f "$f" ] || continue
    cp "$f" "$saved/"
    echo "fuzz: reproducer $saved/$(basename "$f") ($(wc -c <"$f") bytes; commit it under Fuzz/Corpus/$t/, which every run replays). Replay:" >&2
    echo "      CURATE_FUZZ_TARGET=$t $bin $saved/$(basename "$f")" >&2
    if [ "$(wc -c <"$f")" -le 8192 ]; then echo "fuzz: its bytes, base64:" >&2; base64 "$f" >&2; fi
  done
  return 1
}

running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  run_target "$t" &
  running=$((running + 1))
done
wait
failed=0
for t in "${targets[@]}"; do report "$t" "$(cat "$work/$t.status" 2>/dev/null || echo 255)" || failed=1; done

ended=$(date +%s)
echo "fuzz: ${#targets[@]} targets x ${seconds} s, $jobs at a time; build $((built - started)) s, total $((ended - started)) s" >&2
exit $failed
