// Per-row (per-token) symmetric int8 quantization of activations: scale = max|x| / 127,
// q = round-half-even(x / scale) clamped to [-127, 127]. NaN elements are ignored by the max and give q = 0.
#include "gemm_s8_internal.h"
#include <math.h>
#include <string.h>

static void vd_quantize_row_scalar(int8_t *q, float *scale_out, const float *x, int32_t k) {
    float amax = 0.0f;
    for (int32_t l = 0; l < k; l++) {
        float v = fabsf(x[l]);
        if (v > amax) amax = v;   // false for NaN
    }
    float scale = amax / 127.0f;
    *scale_out = scale;
    if (scale == 0.0f) {          // a zero row (or one so small that the scale underflows)
        memset(q, 0, (size_t)k);
        return;
    }
    for (int32_t l = 0; l < k; l++) {
        float v = x[l] / scale;
        if (v != v) v = 0.0f;
        v = v < -127.0f ? -127.0f : (v > 127.0f ? 127.0f : v);
        q[l] = (int8_t)lrintf(v);   // the default rounding mode: to nearest, ties to even
    }
}

void vd_s8_quantize_range(int8_t *q, float *scales, const float *x, int32_t i0, int32_t i1, int32_t k,
                          int64_t ldx) {
    for (int32_t i = i0; i < i1; i++)
        vd_quantize_row_scalar(q + (size_t)i * (size_t)k, scales + i, x + (size_t)i * (size_t)ldx, k);
}

void vd_quantize_rows_s8(int8_t *q, float *scales, const float *x, int32_t m, int32_t k, int64_t ldx) {
    if (m < 1 || k < 1) return;
    vd_s8_quantize_range(q, scales, x, 0, m, k, ldx);
}
