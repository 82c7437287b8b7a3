#!/usr/bin/env bash
# The decontamination lab at full size (issue 16): Benchmarks/lab.sh decontamination (see there).
# usage: Benchmarks/lab_decontamination.sh [SEEDS=101,102,103] [OUT=out/lab-decontamination]
exec "$(dirname "$0")/lab.sh" decontamination "$@"
