# Sourced by the benchmark scripts. `bench_start NAME THREADS` sends everything the script prints from then on
# to the terminal and to Benchmarks/NAME.last.txt, headed by the date, the commit, the CPU model and its
# instruction sets, the BLAS library's kernels (`curate-tool doctor`, when $BIN is set) and the thread count:
# a figure means little without the machine it was measured on. README figures are copied from these files.
bench_start() {
  local name=$1 threads=$2
  exec > >(tee "Benchmarks/$name.last.txt") 2>&1
  echo "$name: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
  echo "cpu flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' \
    | grep -xE 'avx|avx2|fma|avx512f|avx512bw|avx512dq|avx512vl|avx512cd|avx512_vnni|avx512_bf16|avx_vnni|amx_tile|amx_int8|amx_bf16' | tr '\n' ' ')"
  if [ -n "${BIN:-}" ] && [ -x "$BIN" ]; then
    "$BIN" doctor 2>/dev/null | grep -E '^blas (kernels|config):' || echo "blas: (curate-tool doctor failed)"
  fi
  echo "threads: $threads"
}
