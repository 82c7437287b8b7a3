// Run-time choice of a kernel variant: CPUID (through __builtin_cpu_supports) decides what may run,
// CURATE_QUANT_KERNELS may ask for less (never for more than the CPU has).
#include <stdlib.h>
#include <string.h>
#include "internal.h"

int cqk_variant_available(int variant) {
    switch (variant) {
    case CQK_AUTO:
    case CQK_SCALAR:
        return 1;
    case CQK_AVX2:
#ifdef CQK_X86
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
        return 0;
#endif
    default:
        return 0;
    }
}

/// The best variant, or the one CURATE_QUANT_KERNELS names when the CPU has it. Computed once; a race
/// between two first callers computes the same value twice, which is harmless.
static int auto_variant(void) {
    static volatile int chosen = -1;
    int v = chosen;
    if (v >= 0) return v;
    v = cqk_variant_available(CQK_AVX2) ? CQK_AVX2 : CQK_SCALAR;
    const char *e = getenv("CURATE_QUANT_KERNELS");
    if (e && strcmp(e, "scalar") == 0) v = CQK_SCALAR;
    chosen = v;
    return v;
}

int cqk_resolve_variant(int variant) {
    if (variant == CQK_AUTO) return auto_variant();
    return cqk_variant_available(variant) ? variant : CQK_SCALAR;
}

size_t cqk_block_bytes(int type) {
    switch (type) {
    case CQK_Q4_0: return 20;
    case CQK_Q4_1: return 24;
    case CQK_Q8_0: return 36;
    default: return 0;
    }
}

void cqk_quantize_act(const float *x, int rows, int n, int16_t *qs, float *d, float *s, int variant) {
#ifdef CQK_X86
    if (cqk_resolve_variant(variant) == CQK_AVX2) { cqk_quantize_act_avx2(x, rows, n, qs, d, s); return; }
#else
    (void)variant;
#endif
    cqk_quantize_act_scalar(x, rows, n, qs, d, s);
}

void cqk_gemv(int type, const void *w, size_t rowBytes, int j0, int j1, int nb,
              const int16_t *qs, const float *d, const float *s, int rows,
              float *y, size_t ystride, int accumulate, int variant) {
    if (cqk_block_bytes(type) == 0 || j0 >= j1 || rows <= 0 || nb <= 0) return;
#ifdef CQK_X86
    if (cqk_resolve_variant(variant) == CQK_AVX2) {
        cqk_gemv_avx2(type, w, rowBytes, j0, j1, nb, qs, d, s, rows, y, ystride, accumulate);
        return;
    }
#else
    (void)variant;
#endif
    cqk_gemv_scalar(type, w, rowBytes, j0, j1, nb, qs, d, s, rows, y, ystride, accumulate);
}
