// The portable variant: the same arithmetic as the AVX2 one (an exact integer dot product per block,
// at most 32 * 255 * 32767 in magnitude, well inside int,
// scaled by the two block scales and summed in float), in plain C for any CPU.
#include <string.h>
#include "internal.h"

static float load_f32(const uint8_t *p) { float v; memcpy(&v, p, sizeof v); return v; }

/// One weight block against one activation block: the block's contribution to the output.
static float block_dot(int type, const uint8_t *blk, const int16_t *xq, float xd, float xs) {
    const float dw = load_f32(blk);
    int acc = 0;
    switch (type) {
    case CQK_Q4_0: {
        // sum (q - 8) x = sum q x - 8 sum x; the second term is 8 dw xs (xs = xd sum x).
        const uint8_t *q = blk + 4;
        for (int i = 0; i < 16; i++) acc += (q[i] & 0x0F) * xq[i] + (q[i] >> 4) * xq[i + 16];
        return dw * xd * (float)acc - 8.0f * dw * xs;
    }
    case CQK_Q4_1: {
        const float mw = load_f32(blk + 4);
        const uint8_t *q = blk + 8;
        for (int i = 0; i < 16; i++) acc += (q[i] & 0x0F) * xq[i] + (q[i] >> 4) * xq[i + 16];
        return dw * xd * (float)acc + mw * xs;
    }
    default: {
        const int8_t *q = (const int8_t *)(blk + 4);
        for (int i = 0; i < 32; i++) acc += q[i] * xq[i];
        return dw * xd * (float)acc;
    }
    }
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
            float v = 0;
            for (int b = 0; b < nb; b++) v += block_dot(type, row + b * bb, xq + (size_t)b * 32, xd[b], xs[b]);
            float *o = y + (size_t)r * ystride + j;
            *o = accumulate ? *o + v : v;
        }
    }
}
