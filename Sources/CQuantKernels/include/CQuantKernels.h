// Integer dot-product kernels for decoding from GGUF blocks (Q4_0, Q4_1, Q8_0) with the activations
// quantised to blocks of 32 int16 values with one float scale each: llama.cpp's scheme (which uses int8
// activations, q8_0 / q8_1) with 16-bit activations, whose rounding error is 128 times smaller. Measured on
// SmolLM2-135M: int8 activations moved the logits by up to 2.5 and changed greedy tokens of the fixture
// prompts; int16 ones keep them (Trainer's QuantizedDotLinear and its tests) for a few more instructions per
// block (the weights are widened to int16 for vpmaddwd).
//
// Why C: the fast variants need instructions chosen at run time (AVX2 on an x86-64-v3 CPU, a portable
// fallback elsewhere), which C expresses with per-function `target` attributes and `__builtin_cpu_supports`;
// the Swift target is compiled for one baseline. No function here allocates, prints or fails: the
// callers (Trainer's `Q8Linear`) check every size before calling.
#ifndef CQUANTKERNELS_H
#define CQUANTKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Weight block types, stored as `QuantizedWeights` keeps them (half scales widened to float):
/// Q4_0 = float d, 16 nibble bytes (20 bytes; w = (q - 8) d); Q4_1 = float d, float m, 16 nibble bytes
/// (24 bytes; w = q d + m); Q8_0 = float d, 32 int8 (36 bytes; w = q d). Low nibbles hold values
/// 0..<16 of a block, high nibbles 16..<32.
enum { CQK_Q4_0 = 0, CQK_Q4_1 = 1, CQK_Q8_0 = 2 };

/// Kernel variants. CQK_AUTO picks the best one the CPU supports (overridable with the environment
/// variable CURATE_QUANT_KERNELS=scalar|avx2, read once); the others force a variant (tests), and fall
/// back to scalar when the CPU lacks it, so no instruction the CPU lacks ever runs.
enum { CQK_AUTO = 0, CQK_SCALAR = 1, CQK_AVX2 = 2 };

/// 1 when `variant` can run on this CPU (CQK_AUTO and CQK_SCALAR always can).
int cqk_variant_available(int variant);

/// The variant CQK_AUTO resolves to.
int cqk_resolve_variant(int variant);

/// Bytes of one stored weight block of `type` (0 for an unknown type).
size_t cqk_block_bytes(int type);

/// Quantises `rows` rows of `n` floats (n a multiple of 32) to int16 blocks: per block of 32 values
/// d = max|x| / 32767, q = round-to-nearest-even(x * (1 / d)) in -32767...32767, s = d * sum(q).
/// qs: rows * n values; d, s: rows * n / 32 floats each. Every variant gives the same bits for finite input.
void cqk_quantize_act(const float *x, int rows, int n, int16_t *qs, float *d, float *s, int variant);

/// For output rows j in [j0, j1) and activation rows r < rows:
///   v = sum over blocks b of dot(weight row j block b, activation row r block b)
///   y[r * ystride + j] = v (or += v when `accumulate`).
/// Weight row j starts at w + j * rowBytes and holds `nb` blocks of `type`; activation row r is
/// qs + r * nb * 32, d + r * nb, s + r * nb (as `cqk_quantize_act` writes them). Every activation row
/// is read against each weight block while it is in registers: one pass over the weights per call.
/// Every variant gives the same bits, whatever `rows`: per block the exact integer dot product, converted
/// to float, is added with one fused multiply-add by (weight scale * activation scale), block by block, and
/// the Q4 offset terms are accumulated the same way through s and added at the end.
void cqk_gemv(int type, const void *w, size_t rowBytes, int j0, int j1, int nb,
              const int16_t *qs, const float *d, const float *s, int rows,
              float *y, size_t ystride, int accumulate, int variant);

#ifdef __cplusplus
}
#endif

#endif
