// The portable variant: the same arithmetic as the AVX2 one, bit for bit. Per block an exact integer dot
// product (at most 32 * 128 * 32767 in magnitude, well inside int), converted to float and added to the
// output's accumulator with one fused multiply-add by the product of the two block scales; the Q4 offset
// terms (Q4_0's -8, Q4_1's m) go through the activation block's scaled sum into a second accumulator, also
// by fused multiply-adds, and the two meet at the end. fmaf is exact in every C library (a library call
// where the CPU has no FMA instruction), so this matches the vector FMAs of the AVX2 variant.
#include <math.h>
#include <string.h>
#include "internal.h"

static float load_f32(const uint8_t *p) { float v; memcpy(&v, p, sizeof v); return v; }

/// The exact integer dot product of a weight block's quants with an activation block.
static int block_dot(int type, const uint8_t *blk, const int16_t *xq) {
    int acc = 0;
    if (type == CQK_Q8_0) {
        const int8_t *q = (const int8_t *)(blk + 4);
        for (int i = 0; i < 32; i++) acc += q[i] * xq[i];
    } else {
        const uint8_t *q = blk + (type == CQK_Q4_1 ? 8 : 4);
        for (int i = 0; i < 16; i++) acc += (q[i] & 0x0F) * xq[i] + (q[i] >> 4) * xq[i + 16];
    }
    return acc;
}

void cqk_gemv_scalar(int type, const void *w, size_t rowBytes, int j0, int j1, int nb,
                     const int16_t *qs, const float *d, const float *s, int rows,
                     float *y, size_t ystride, int accumulate) {
    const size_t bb = cqk_block_bytes(type);
    for (int j = j0; j < j1; j++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)j * rowBytes;
        for (int r = 0; r < rows; r++) {
            const int16_t *xq = qs + (size_t)r * nb * 32;
            const float *xd = d + (size_t)r * nb, *xs = s + (size_t)r * nb;
            float acc = 0, corr = 0;
            for (int b = 0; b < nb; b++) {
                const uint8_t *blk = row + (size_t)b * bb;
                const float dw = load_f32(blk);
                const float scale = dw * xd[b];
                acc = fmaf(scale, (float)block_dot(type, blk, xq + (size_t)b * 32), acc);
                // sum (q - 8) x = sum q x - 8 sum x (Q4_0), sum (q d + m) x = d sum q x + m sum x (Q4_1).
                if (type == CQK_Q4_0) corr = fmaf(dw, xs[b], corr);
                else if (type == CQK_Q4_1) corr = fmaf(load_f32(blk + 4), xs[b], corr);
            }
            const float v = type == CQK_Q4_0 ? fmaf(-8.0f, corr, acc) : type == CQK_Q4_1 ? acc + corr : acc;
            float *o = y + (size_t)r * ystride + j;
            *o = accumulate ? *o + v : v;
        }
    }
}
