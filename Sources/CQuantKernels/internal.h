// Declarations shared by the kernel files (not part of the module's interface).
#ifndef CQK_INTERNAL_H
#define CQK_INTERNAL_H

#include "CQuantKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#define CQK_X86 1
#endif

void cqk_quantize_act_scalar(const float *x, int rows, int n, int16_t *qs, float *d, float *s);
void cqk_gemv_scalar(int type, const void *w, size_t rowBytes, int j0, int j1, int nb,
                     const int16_t *qs, const float *d, const float *s, int rows,
                     float *y, size_t ystride, int accumulate);

#ifdef CQK_X86
void cqk_quantize_act_avx2(const float *x, int rows, int n, int16_t *qs, float *d, float *s);
void cqk_gemv_avx2(int type, const void *w, size_t rowBytes, int j0, int j1, int nb,
                   const int16_t *qs, const float *d, const float *s, int rows,
                   float *y, size_t ystride, int accumulate);
#endif

#endif
