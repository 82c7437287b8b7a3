// The AVX2 variant (x86-64-v3: AVX2 + FMA), compiled for those instructions function by function and
// called only after CPUID says the CPU has them (dispatch.c).
//
// Per weight block: the 32 weights widened to int16 (Q4: the nibbles, 0..15; Q8_0: the signed bytes), and
// per (activation row, weight row) pair two vpmaddwd (int16 pairs -> 8 int32; at most 2 * 128 * 32767, no
// overflow) and an add. The 8 lanes are then summed exactly in int32, four pairs at a time into one 128-bit
// vector of four block sums, and each pair's block sum is converted to float and added with one FMA,
// scaled by the product of the two block scales, to that pair's float accumulator, block after block: what
// the scalar variant computes (gemv_scalar.c), bit for bit. Q4_0's -8 and Q4_1's m are applied per block
// through the activation block's scaled sum (another FMA per pair into a second accumulator).
//
// Why exact int32 sums: the earlier kernel kept 8 float lanes per pair (a conversion, a lane broadcast and
// a 256-bit FMA per pair and block). At batch 8 the product is bound by instructions: Zen 1 runs vpmaddwd
// on one pipe only, and the 256-bit FMAs competed for it; the horizontal sums serve four pairs with one
// conversion and one 128-bit FMA. Measured with SmolLM2-135M's matrix shapes (every matrix of a decode
// step, one thread, weights in memory): 8 rows 25%, 4 rows 71%, 2 rows 26%, 1 row 14% faster than the
// earlier kernel.
//
// Tiles: R activation rows x J weight rows, lanes grouped by four. R >= 4 takes J = 1 (a group is four
// rows against the weight row; two weight rows per pass were measured slower, their registers spill),
// R = 2 takes J = 2 (both rows against both weight rows), R = 1 takes J = 4 (four weight rows: independent
// chains for one stream). A pair's arithmetic is the same in every tile, so a row's output bits never
// depend on the rows decoded beside it.
#include "internal.h"

#ifdef CQK_X86
#include <immintrin.h>
#include <string.h>

/// Prefetch distance in bytes ahead of the block being read, along each weight row (rows are contiguous, so
/// this runs a few tiles ahead). 4096 measured 3-5% faster than 2048 for one stream, the same for 8 rows.
#define CQK_PREFETCH 4096

#define AVX2 __attribute__((target("avx2,fma")))
#define AVX2_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

/// Fully unrolls a loop whose bounds are constants after inlining, so its arrays live in registers.
#define CQK_UNROLL _Pragma("GCC unroll 16")
/// Unrolls the loop over blocks (see `tile`).
#define CQK_BLOCK_UNROLL _Pragma("GCC unroll 4")

/// Largest weight rows per tile (R = 1).
#define CQK_MAXJ 4

AVX2_INLINE float load_f32(const uint8_t *p) { float v; memcpy(&v, p, sizeof v); return v; }

/// The 32 weights of a block as int16 (w0: values 0..<16, w1: 16..<32).
AVX2_INLINE void weights(int type, const uint8_t *blk, __m256i *w0, __m256i *w1) {
    if (type == CQK_Q8_0) {
        *w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 4)));
        *w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 20)));
    } else {
        const __m128i lowMask = _mm_set1_epi8(0x0F);
        const __m128i q = _mm_loadu_si128((const __m128i *)(blk + (type == CQK_Q4_1 ? 8 : 4)));
        *w0 = _mm256_cvtepu8_epi16(_mm_and_si128(q, lowMask));
        *w1 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(q, 4), lowMask));
    }
}

/// 8 int32 partial sums of a weight block times an activation block (x0, x1: its two halves).
AVX2_INLINE __m256i bdot(__m256i w0, __m256i w1, __m256i x0, __m256i x1) {
    return _mm256_add_epi32(_mm256_madd_epi16(w0, x0), _mm256_madd_epi16(w1, x1));
}

/// The exact sums of the 8 lanes of each of p0..p3, in lanes 0..3.
AVX2_INLINE __m128i hsum4(__m256i p0, __m256i p1, __m256i p2, __m256i p3) {
    // 128-bit halves first, then two transposing rounds of unpacks and adds: measured faster on Zen 1 than
    // vphaddd (8 rows x 1 weight row, SmolLM2-135M's shapes: 77 against 83 ms per pass).
    const __m128i a = _mm_add_epi32(_mm256_castsi256_si128(p0), _mm256_extracti128_si256(p0, 1));
    const __m128i b = _mm_add_epi32(_mm256_castsi256_si128(p1), _mm256_extracti128_si256(p1, 1));
    const __m128i c = _mm_add_epi32(_mm256_castsi256_si128(p2), _mm256_extracti128_si256(p2, 1));
    const __m128i e = _mm_add_epi32(_mm256_castsi256_si128(p3), _mm256_extracti128_si256(p3, 1));
    const __m128i ab = _mm_add_epi32(_mm_unpacklo_epi32(a, b), _mm_unpackhi_epi32(a, b));  // a0+a2 b0+b2 a1+a3 b1+b3
    const __m128i ce = _mm_add_epi32(_mm_unpacklo_epi32(c, e), _mm_unpackhi_epi32(c, e));
    return _mm_add_epi32(_mm_unpacklo_epi64(ab, ce), _mm_unpackhi_epi64(ab, ce));
}

/// Four floats p[0], p[st], p[2 st], p[3 st].
AVX2_INLINE __m128 load4(const float *p, size_t st) {
    return st == 1 ? _mm_loadu_ps(p) : _mm_setr_ps(p[0], p[st], p[2 * st], p[3 * st]);
}

/// R activation rows x J weight rows (output rows j..<j+n, n <= J; when n < J the last weight row fills the
/// missing places and their results are dropped); `type`, R and J are constants after inlining.
/// The activation rows' scale and sum of block b, row r, are dp[b * bs + r * rs] and sp[...]: bs = R,
/// rs = 1 when the caller interleaved them by block (one vector load per group), else bs = 1, rs = nb.
AVX2_INLINE void tile(int type, const uint8_t *w, size_t rowBytes, int j, int R, int J, int n, int nb,
                      const int16_t *qs, const float *dp, const float *sp, size_t bs, size_t rs,
                      float *y, size_t ystride, int accumulate) {
    const size_t bb = type == CQK_Q4_0 ? 20 : type == CQK_Q4_1 ? 24 : 36;
    const size_t xr = (size_t)nb * 32;  // int16 values between activation rows
    enum { G = 2 };                    // most lane groups (R * J <= 8)
    const int groups = R * J / 4;
    __m128 acc[G], corr[G];
    CQK_UNROLL
    for (int g = 0; g < G; g++) { acc[g] = _mm_setzero_ps(); corr[g] = _mm_setzero_ps(); }
    const uint8_t *rows[CQK_MAXJ];
    CQK_UNROLL
    for (int jj = 0; jj < J; jj++) rows[jj] = w + (size_t)(j + (jj < n ? jj : n - 1)) * rowBytes;
    // Four blocks per iteration: measured 10% faster for 8 rows (and a few % for 1 and 2) than one; the
    // blocks' independent work sits closer together for the out-of-order window (about 120 µops a block).
    CQK_BLOCK_UNROLL
    for (int b = 0; b < nb; b++) {
        __m256i w0[CQK_MAXJ], w1[CQK_MAXJ];
        float dw[CQK_MAXJ], mw[CQK_MAXJ];
        CQK_UNROLL
        for (int jj = 0; jj < J; jj++) {
            const uint8_t *blk = rows[jj] + (size_t)b * bb;
            _mm_prefetch((const char *)blk + CQK_PREFETCH, _MM_HINT_T0);
            dw[jj] = load_f32(blk);
            mw[jj] = type == CQK_Q4_1 ? load_f32(blk + 4) : dw[jj];
            weights(type, blk, &w0[jj], &w1[jj]);
        }
        const int16_t *xb = qs + (size_t)b * 32;
        __m128i sum[G];
        __m128 dl[G], sl[G], wl[G], ml[G];
        if (R >= 4) {
            // Group jj * (R / 4) + q: rows 4q..<4q+4 against weight row jj; each activation load serves J rows.
            CQK_UNROLL
            for (int q = 0; q < R / 4; q++) {
                __m256i p[1][4];
                CQK_UNROLL
                for (int r = 0; r < 4; r++) {
                    const __m256i *xv = (const __m256i *)(xb + (size_t)(4 * q + r) * xr);
                    const __m256i x0 = _mm256_loadu_si256(xv), x1 = _mm256_loadu_si256(xv + 1);
                    CQK_UNROLL
                    for (int jj = 0; jj < J; jj++) p[jj][r] = bdot(w0[jj], w1[jj], x0, x1);
                }
                const __m128 d4 = load4(dp + (size_t)b * bs + (size_t)(4 * q) * rs, rs);
                const __m128 s4 = load4(sp + (size_t)b * bs + (size_t)(4 * q) * rs, rs);
                CQK_UNROLL
                for (int jj = 0; jj < J; jj++) {
                    const int g = jj * (R / 4) + q;
                    sum[g] = hsum4(p[jj][0], p[jj][1], p[jj][2], p[jj][3]);
                    dl[g] = d4; sl[g] = s4;
                    wl[g] = _mm_set1_ps(dw[jj]); ml[g] = _mm_set1_ps(mw[jj]);
                }
            }
        } else if (R == 2) {
            // One group: lanes (row 0, row 1) against weight row 0, then against weight row 1.
            const __m256i *xa = (const __m256i *)xb, *xc = (const __m256i *)(xb + xr);
            const __m256i a0 = _mm256_loadu_si256(xa), a1 = _mm256_loadu_si256(xa + 1);
            const __m256i c0 = _mm256_loadu_si256(xc), c1 = _mm256_loadu_si256(xc + 1);
            sum[0] = hsum4(bdot(w0[0], w1[0], a0, a1), bdot(w0[0], w1[0], c0, c1),
                           bdot(w0[1], w1[1], a0, a1), bdot(w0[1], w1[1], c0, c1));
            const float d0 = dp[(size_t)b * bs], d1 = dp[(size_t)b * bs + rs];
            const float s0 = sp[(size_t)b * bs], s1 = sp[(size_t)b * bs + rs];
            dl[0] = _mm_setr_ps(d0, d1, d0, d1); sl[0] = _mm_setr_ps(s0, s1, s0, s1);
            wl[0] = _mm_setr_ps(dw[0], dw[0], dw[1], dw[1]); ml[0] = _mm_setr_ps(mw[0], mw[0], mw[1], mw[1]);
        } else {
            // One group: the row against weight rows 0..<4.
            const __m256i x0 = _mm256_loadu_si256((const __m256i *)xb), x1 = _mm256_loadu_si256((const __m256i *)xb + 1);
            sum[0] = hsum4(bdot(w0[0], w1[0], x0, x1), bdot(w0[1], w1[1], x0, x1),
                           bdot(w0[2], w1[2], x0, x1), bdot(w0[3], w1[3], x0, x1));
            dl[0] = _mm_set1_ps(dp[b]); sl[0] = _mm_set1_ps(sp[b]);
            wl[0] = _mm_setr_ps(dw[0], dw[1], dw[2], dw[3]); ml[0] = _mm_setr_ps(mw[0], mw[1], mw[2], mw[3]);
        }
        CQK_UNROLL
        for (int g = 0; g < groups; g++) {
            acc[g] = _mm_fmadd_ps(_mm_mul_ps(wl[g], dl[g]), _mm_cvtepi32_ps(sum[g]), acc[g]);
            if (type != CQK_Q8_0) corr[g] = _mm_fmadd_ps(ml[g], sl[g], corr[g]);
        }
    }
    float v[4 * G];
    CQK_UNROLL
    for (int g = 0; g < groups; g++) {
        __m128 o = acc[g];
        if (type == CQK_Q4_0) o = _mm_fmadd_ps(_mm_set1_ps(-8.0f), corr[g], o);
        else if (type == CQK_Q4_1) o = _mm_add_ps(o, corr[g]);
        _mm_storeu_ps(v + 4 * g, o);
    }
    CQK_UNROLL
    for (int a = 0; a < R * J; a++) {
        const int r = R >= 4 ? 4 * ((a / 4) % (R / 4)) + a % 4 : R == 2 ? a % 2 : 0;
        const int jj = R >= 4 ? a / R : R == 2 ? a / 2 : a;
        if (jj >= n) continue;
        float *o = y + (size_t)r * ystride + j + jj;
        *o = accumulate ? *o + v[a] : v[a];
    }
}

/// Largest blocks per row for which the interleaved scales fit the stack buffers (2 x 16 KB).
#define CQK_INTERLEAVE_MAX_BLOCKS 512

/// All output rows in [j0, j1) for R activation rows, J weight rows at a time; a last partial tile repeats
/// its last weight row in the missing places (computed, not written: every pair's arithmetic is unchanged).
AVX2_INLINE void rowsR(int type, const uint8_t *w, size_t rowBytes, int j0, int j1, int nb,
                       const int16_t *qs, const float *dp, const float *sp, size_t bs, size_t rs, int R,
                       float *y, size_t ystride, int accumulate) {
    const int J = R >= 4 ? 1 : R >= 2 ? 2 : 4;
    for (int j = j0; j < j1; j += J) {
        const int n = j1 - j < J ? j1 - j : J;
        tile(type, w, rowBytes, j, R, J, n, nb, qs, dp, sp, bs, rs, y, ystride, accumulate);
    }
}

/// One group of R activation rows (R a constant after inlining), their scales and sums interleaved by
/// block first when they fit the stack buffers.
AVX2_INLINE void group(int type, const uint8_t *w, size_t rowBytes, int j0, int j1, int nb,
                       const int16_t *qs, const float *d, const float *s, int R,
                       float *y, size_t ystride, int accumulate) {
    if (R > 1 && nb <= CQK_INTERLEAVE_MAX_BLOCKS) {
        float dT[8 * CQK_INTERLEAVE_MAX_BLOCKS], sT[8 * CQK_INTERLEAVE_MAX_BLOCKS];
        for (int b = 0; b < nb; b++) {
            for (int r = 0; r < R; r++) { dT[b * R + r] = d[(size_t)r * nb + b]; sT[b * R + r] = s[(size_t)r * nb + b]; }
        }
        rowsR(type, w, rowBytes, j0, j1, nb, qs, dT, sT, (size_t)R, 1, R, y, ystride, accumulate);
    } else {
        rowsR(type, w, rowBytes, j0, j1, nb, qs, d, s, 1, (size_t)nb, R, y, ystride, accumulate);
    }
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
        if (left >= 8) { group(type, w, rowBytes, j0, j1, nb, q, d + xo, s + xo, 8, yr, ystride, accumulate); r0 += 8; }
        else if (left >= 4) { group(type, w, rowBytes, j0, j1, nb, q, d + xo, s + xo, 4, yr, ystride, accumulate); r0 += 4; }
        else if (left >= 2) { group(type, w, rowBytes, j0, j1, nb, q, d + xo, s + xo, 2, yr, ystride, accumulate); r0 += 2; }
        else { group(type, w, rowBytes, j0, j1, nb, q, d + xo, s + xo, 1, yr, ystride, accumulate); r0 += 1; }
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
