// Activation rows to int16 blocks of 32 with one float scale each, and the scaled sum of each block's
// integers, which the Q4_0 and Q4_1 dot products need for their offsets (llama.cpp's q8_1 keeps the same sum).
//
// Both variants compute the same bits: the maximum is order-independent, the scale and its inverse are
// the same two float operations, rounding is to nearest even in both (nearbyintf in the default
// rounding mode, vroundps with _MM_FROUND_TO_NEAREST_INT), and the sum is an exact integer sum
// (at most 32 * 32767 < 2^24, so its conversion to float is exact too).
#include <math.h>
#include <string.h>
#include "internal.h"

#define CQK_QMAX 32767.0f

void cqk_quantize_act_scalar(const float *x, int rows, int n, int16_t *qs, float *d, float *s) {
    const int nb = n / 32;
    for (int r = 0; r < rows; r++) {
        for (int b = 0; b < nb; b++) {
            const float *xb = x + (size_t)r * n + (size_t)b * 32;
            int16_t *q = qs + (size_t)r * n + (size_t)b * 32;
            float amax = 0;
            for (int i = 0; i < 32; i++) { float a = fabsf(xb[i]); amax = a > amax ? a : amax; }
            const float db = amax / CQK_QMAX, id = db != 0.0f ? 1.0f / db : 0.0f;
            int sum = 0;
            for (int i = 0; i < 32; i++) {
                const float v = nearbyintf(xb[i] * id);
                // In range for finite input; NaN (and anything else out of range) becomes 0, not UB.
                const int qi = (v >= -CQK_QMAX && v <= CQK_QMAX) ? (int)v : 0;
                q[i] = (int16_t)qi;
                sum += qi;
            }
            d[(size_t)r * nb + b] = db;
            s[(size_t)r * nb + b] = db * (float)sum;
        }
    }
}

#ifdef CQK_X86
#include <immintrin.h>

#define CQK_RND (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

__attribute__((target("avx2,fma")))
void cqk_quantize_act_avx2(const float *x, int rows, int n, int16_t *qs, float *d, float *s) {
    const int nb = n / 32;
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    for (int r = 0; r < rows; r++) {
        for (int b = 0; b < nb; b++) {
            const float *xb = x + (size_t)r * n + (size_t)b * 32;
            __m256 v0 = _mm256_loadu_ps(xb), v1 = _mm256_loadu_ps(xb + 8);
            __m256 v2 = _mm256_loadu_ps(xb + 16), v3 = _mm256_loadu_ps(xb + 24);
            __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(signBit, v0), _mm256_andnot_ps(signBit, v1)),
                                     _mm256_max_ps(_mm256_andnot_ps(signBit, v2), _mm256_andnot_ps(signBit, v3)));
            __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
            m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
            m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
            const float amax = _mm_cvtss_f32(m4);
            const float db = amax / CQK_QMAX, id = db != 0.0f ? 1.0f / db : 0.0f;
            const __m256 mul = _mm256_set1_ps(id);
            __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, mul), CQK_RND));
            __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, mul), CQK_RND));
            __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, mul), CQK_RND));
            __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, mul), CQK_RND));
            __m256i sum = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
            __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
            s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
            s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
            // Pack to int16 (values are within -32767...32767: no saturation), then undo the lane
            // interleaving of the pack (64-bit quarters 0, 2, 1, 3).
            __m256i p0 = _mm256_permute4x64_epi64(_mm256_packs_epi32(i0, i1), 0xD8);
            __m256i p1 = _mm256_permute4x64_epi64(_mm256_packs_epi32(i2, i3), 0xD8);
            int16_t *q = qs + (size_t)r * n + (size_t)b * 32;
            _mm256_storeu_si256((__m256i *)q, p0);
            _mm256_storeu_si256((__m256i *)(q + 16), p1);
            d[(size_t)r * nb + b] = db;
            s[(size_t)r * nb + b] = db * (float)_mm_cvtsi128_si32(s4);
        }
    }
}
#endif
