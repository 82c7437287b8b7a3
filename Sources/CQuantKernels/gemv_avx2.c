// The AVX2 variant (x86-64-v3: AVX2 + FMA), compiled for those instructions function by function and
// called only after CPUID says the CPU has them (dispatch.c).
//
// Per weight block: the 32 weights widened to int16 (Q4: the nibbles, 0..15; Q8_0: the signed bytes), and
// per activation row two vpmaddwd (int16 pairs -> 8 int32; at most 2 * 128 * 32767, no overflow), an add,
// a conversion and an FMA with the product of the two block scales into an 8-lane float accumulator.
// Q4_0's -8 and Q4_1's m are applied per block through the activation block's scaled sum (a scalar FMA).
//
// Tiles: R activation rows x J weight rows share each loaded block, R * J <= 8 accumulators (8 rows:
// one weight row at a time; 1 row: four weight rows, for independent FMA chains).
#include "internal.h"

#ifdef CQK_X86
#include <immintrin.h>
#include <math.h>
#include <string.h>

/// Prefetch distance in bytes ahead of the block being read, along each weight row.
#define CQK_PREFETCH 2048

#define AVX2 __attribute__((target("avx2,fma")))
#define AVX2_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

AVX2_INLINE float hsum(__m256 v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

AVX2_INLINE float load_f32(const uint8_t *p) { float v; memcpy(&v, p, sizeof v); return v; }

/// R activation rows x J weight rows, output rows j..<j+J. `type`, R and J are constants after inlining.
AVX2_INLINE void tile(int type, const uint8_t *w, size_t rowBytes, int j, int J, int nb,
                      const int16_t *qs, const float *d, const float *s, int R,
                      float *y, size_t ystride, int accumulate) {
    const size_t bb = type == CQK_Q4_0 ? 20 : type == CQK_Q4_1 ? 24 : 36;
    const __m128i lowMask = _mm_set1_epi8(0x0F);
    __m256 acc[8];
    float corr[8];
    for (int i = 0; i < 8; i++) { acc[i] = _mm256_setzero_ps(); corr[i] = 0; }
    const uint8_t *rows[4];
    for (int jj = 0; jj < J; jj++) rows[jj] = w + (size_t)(j + jj) * rowBytes;
    for (int b = 0; b < nb; b++) {
        for (int jj = 0; jj < J; jj++) {
            const uint8_t *blk = rows[jj] + (size_t)b * bb;
            _mm_prefetch((const char *)blk + CQK_PREFETCH, _MM_HINT_T0);
            const float dw = load_f32(blk);
            __m256i w0, w1;
            float mw = 0;
            if (type == CQK_Q8_0) {
                w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 4)));
                w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 20)));
            } else {
                const uint8_t *qp = blk + (type == CQK_Q4_1 ? 8 : 4);
                if (type == CQK_Q4_1) mw = load_f32(blk + 4);
                const __m128i q = _mm_loadu_si128((const __m128i *)qp);
                w0 = _mm256_cvtepu8_epi16(_mm_and_si128(q, lowMask));
                w1 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(q, 4), lowMask));
            }
            for (int r = 0; r < R; r++) {
                const size_t xb = (size_t)r * nb + b;
                const __m256i *xv = (const __m256i *)(qs + xb * 32);
                const __m256i p = _mm256_add_epi32(_mm256_madd_epi16(w0, _mm256_loadu_si256(xv)),
                                                   _mm256_madd_epi16(w1, _mm256_loadu_si256(xv + 1)));
                const int a = jj * R + r;
                acc[a] = _mm256_fmadd_ps(_mm256_set1_ps(dw * d[xb]), _mm256_cvtepi32_ps(p), acc[a]);
                // Fused explicitly, as tile8's vector FMA: the two must give the same bits.
                if (type == CQK_Q4_0) corr[a] = fmaf(dw, s[xb], corr[a]);
                else if (type == CQK_Q4_1) corr[a] = fmaf(mw, s[xb], corr[a]);
            }
        }
    }
    for (int jj = 0; jj < J; jj++) {
        for (int r = 0; r < R; r++) {
            const int a = jj * R + r;
            const float v = hsum(acc[a]) + (type == CQK_Q4_0 ? -8.0f * corr[a] : corr[a]);
            float *o = y + (size_t)r * ystride + j + jj;
            *o = accumulate ? *o + v : v;
        }
    }
}

/// Largest blocks per row for which tile8's interleaved scales fit its stack buffers (2 x 16 KB).
#define CQK_TILE8_MAX_BLOCKS 512

/// 8 activation rows against one weight row, with the rows' block scales and sums interleaved by block
/// (dT[b * 8 + r], sT[b * 8 + r]): one vector multiply and one FMA per block serve all 8 rows, where `tile`
/// spends a scalar multiply, a broadcast and a scalar FMA per row (at batch 8 the product is bound by
/// instructions, not bytes). Every lane computes exactly what `tile` computes for its row, so the output
/// bits are the same (a row's result never depends on the rows decoded beside it).
AVX2_INLINE void tile8(int type, const uint8_t *w, size_t rowBytes, int j, int nb,
                       const int16_t *qs, const float *dT, const float *sT,
                       float *y, size_t ystride, int accumulate) {
    const size_t bb = type == CQK_Q4_0 ? 20 : type == CQK_Q4_1 ? 24 : 36;
    const __m128i lowMask = _mm_set1_epi8(0x0F);
    __m256 acc[8], corr = _mm256_setzero_ps();
    for (int i = 0; i < 8; i++) acc[i] = _mm256_setzero_ps();
    const uint8_t *row = w + (size_t)j * rowBytes;
    for (int b = 0; b < nb; b++) {
        const uint8_t *blk = row + (size_t)b * bb;
        _mm_prefetch((const char *)blk + CQK_PREFETCH, _MM_HINT_T0);
        const float dw = load_f32(blk);
        __m256i w0, w1;
        if (type == CQK_Q8_0) {
            w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 4)));
            w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 20)));
        } else {
            const __m128i q = _mm_loadu_si128((const __m128i *)(blk + (type == CQK_Q4_1 ? 8 : 4)));
            w0 = _mm256_cvtepu8_epi16(_mm_and_si128(q, lowMask));
            w1 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(q, 4), lowMask));
        }
        const __m256 dv = _mm256_mul_ps(_mm256_set1_ps(dw), _mm256_loadu_ps(dT + (size_t)b * 8));
        if (type == CQK_Q4_0) corr = _mm256_fmadd_ps(_mm256_set1_ps(dw), _mm256_loadu_ps(sT + (size_t)b * 8), corr);
        else if (type == CQK_Q4_1) corr = _mm256_fmadd_ps(_mm256_set1_ps(load_f32(blk + 4)), _mm256_loadu_ps(sT + (size_t)b * 8), corr);
        for (int r = 0; r < 8; r++) {
            const __m256i *xv = (const __m256i *)(qs + ((size_t)r * nb + b) * 32);
            const __m256i p = _mm256_add_epi32(_mm256_madd_epi16(w0, _mm256_loadu_si256(xv)),
                                               _mm256_madd_epi16(w1, _mm256_loadu_si256(xv + 1)));
            const __m256 sc = _mm256_permutevar8x32_ps(dv, _mm256_set1_epi32(r));
            acc[r] = _mm256_fmadd_ps(sc, _mm256_cvtepi32_ps(p), acc[r]);
        }
    }
    float c[8];
    _mm256_storeu_ps(c, corr);
    for (int r = 0; r < 8; r++) {
        const float v = hsum(acc[r]) + (type == CQK_Q4_0 ? -8.0f * c[r] : type == CQK_Q4_1 ? c[r] : 0.0f);
        float *o = y + (size_t)r * ystride + j;
        *o = accumulate ? *o + v : v;
    }
}

/// All output rows in [j0, j1) for R activation rows: J = 8 / R weight rows at a time (at most 4), then one.
AVX2_INLINE void rowsR(int type, const uint8_t *w, size_t rowBytes, int j0, int j1, int nb,
                       const int16_t *qs, const float *d, const float *s, int R,
                       float *y, size_t ystride, int accumulate) {
    const int J = R >= 8 ? 1 : R >= 4 ? 2 : R >= 2 ? 2 : 4;
    int j = j0;
    for (; j + J <= j1; j += J) tile(type, w, rowBytes, j, J, nb, qs, d, s, R, y, ystride, accumulate);
    for (; j < j1; j++) tile(type, w, rowBytes, j, 1, nb, qs, d, s, R, y, ystride, accumulate);
}

AVX2_INLINE void gemv_type(int type, const uint8_t *w, size_t rowBytes, int j0, int j1, int nb,
                           const int16_t *qs, const float *d, const float *s, int rows,
                           float *y, size_t ystride, int accumulate) {
    int r0 = 0;
    while (r0 < rows) {
        const int left = rows - r0;
        const size_t xo = (size_t)r0 * nb;
        const int16_t *q = qs + xo * 32;
        float *yr = y + (size_t)r0 * ystride;
        if (left >= 8 && nb <= CQK_TILE8_MAX_BLOCKS) {
            float dT[8 * CQK_TILE8_MAX_BLOCKS], sT[8 * CQK_TILE8_MAX_BLOCKS];
            for (int b = 0; b < nb; b++) {
                for (int r = 0; r < 8; r++) { dT[b * 8 + r] = d[xo + (size_t)r * nb + b]; sT[b * 8 + r] = s[xo + (size_t)r * nb + b]; }
            }
            for (int j = j0; j < j1; j++) tile8(type, w, rowBytes, j, nb, q, dT, sT, yr, ystride, accumulate);
            r0 += 8;
        }
        else if (left >= 8) { rowsR(type, w, rowBytes, j0, j1, nb, q, d + xo, s + xo, 8, yr, ystride, accumulate); r0 += 8; }
        else if (left >= 4) { rowsR(type, w, rowBytes, j0, j1, nb, q, d + xo, s + xo, 4, yr, ystride, accumulate); r0 += 4; }
        else if (left >= 2) { rowsR(type, w, rowBytes, j0, j1, nb, q, d + xo, s + xo, 2, yr, ystride, accumulate); r0 += 2; }
        else { rowsR(type, w, rowBytes, j0, j1, nb, q, d + xo, s + xo, 1, yr, ystride, accumulate); r0 += 1; }
    }
}

AVX2 void cqk_gemv_avx2(int type, const void *w, size_t rowBytes, int j0, int j1, int nb,
                        const int16_t *qs, const float *d, const float *s, int rows,
                        float *y, size_t ystride, int accumulate) {
    const uint8_t *wb = (const uint8_t *)w;
    switch (type) {
    case CQK_Q4_0: gemv_type(CQK_Q4_0, wb, rowBytes, j0, j1, nb, qs, d, s, rows, y, ystride, accumulate); break;
    case CQK_Q4_1: gemv_type(CQK_Q4_1, wb, rowBytes, j0, j1, nb, qs, d, s, rows, y, ystride, accumulate); break;
    default: gemv_type(CQK_Q8_0, wb, rowBytes, j0, j1, nb, qs, d, s, rows, y, ystride, accumulate); break;
    }
}
#endif
