// The scalar int8 tile: plain sums of w * a, the reference every SIMD path is tested against.
#include "gemm_int8_internal.h"

void vd_int8_tile_scalar(const vd_int8_out *out, const int8_t *a, int32_t i0, int32_t i1, const vd_int8_weights *w,
                         int32_t b0, int32_t b1) {
    const int32_t k = w->k;
    for (int32_t i = i0; i < i1; i++) {
        const int8_t *a_row = a + (size_t)i * (size_t)k;   // a [m, k]
        for (int32_t b = b0; b < b1; b++) {
            for (int32_t jj = 0; jj < VD_INT8_NB; jj++) {
                int32_t j = b * VD_INT8_NB + jj;
                if (j >= w->n) break;
                size_t q_stride;
                const uint8_t *u = vd_int8_block(w, b, &q_stride) + (size_t)jj * 4;   // u = w + 128
                // uint32 sums wrap like the vector paths; the true value fits (k <= VD_INT8_MAX_K).
                uint32_t acc = 0;
                for (int32_t l = 0; l < k; l++)
                    acc += (uint32_t)(((int32_t)u[(size_t)(l / 4) * q_stride + (size_t)(l % 4)] - 128) *
                                      (int32_t)a_row[l]);
                int32_t c = (int32_t)acc;
                if (out->y) {
                    float s = out->a_scales[i] * w->scales[j];
                    float t = (float)c * s;
                    float v = t + (out->bias ? out->bias[j] : 0.0f);
                    float *yp = out->y + (size_t)i * (size_t)out->ldy + (size_t)j;
                    *yp = out->accumulate ? *yp + v : v;
                } else {
                    out->c[(size_t)i * (size_t)out->ldc + (size_t)j] = c;
                }
            }
        }
    }
}
