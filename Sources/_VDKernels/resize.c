// SPEC 1.1's separable resampler: the vertical pass on uint8 rows, the horizontal pass on float RGB rows.
// Weights come from the caller (see vd_resize.h); these loops only apply them. -O3 vectorises the vertical
// pass's inner loop (contiguous bytes); the horizontal pass is a short dot product per output value.
#include "vd_resize.h"

// out: [rows_out, n]; in: uint8 rows, stride in_stride; first, taps: [rows_out]; w: [rows_out, max_taps]
void vd_resample_rows_u8(float *out, const uint8_t *in, size_t in_stride, size_t n, size_t rows_out,
                         const int32_t *first, const int32_t *taps, const float *w, size_t max_taps) {
    for (size_t y = 0; y < rows_out; y++) {
        float *restrict o = out + y * n;
        const float *wy = w + y * max_taps;
        const uint8_t *restrict row = in + (size_t)first[y] * in_stride;
        for (size_t v = 0; v < n; v++) o[v] = wy[0] * (float)row[v];
        for (int32_t t = 1; t < taps[y]; t++) {
            const float wt = wy[t];
            row += in_stride;
            for (size_t v = 0; v < n; v++) o[v] += wt * (float)row[v];
        }
    }
}

// out: [3 planes of (rows, out_ld)]; in: [rows, in_ld] interleaved RGB; first, taps: [cols_out];
// w: [cols_out, max_taps]; scale, bias: [3]
void vd_resample_cols_rgb(float *out, size_t plane, size_t out_ld, const float *in, size_t in_ld, size_t rows,
                          size_t cols_out, const int32_t *first, const int32_t *taps, const float *w,
                          size_t max_taps, const float *scale, const float *bias) {
    for (size_t r = 0; r < rows; r++) {
        const float *row = in + r * in_ld;
        float *o = out + r * out_ld;
        for (size_t x = 0; x < cols_out; x++) {
            const float *p = row + (size_t)first[x] * 3;
            const float *wx = w + x * max_taps;
            float s0 = 0, s1 = 0, s2 = 0;
            for (int32_t t = 0; t < taps[x]; t++, p += 3) {
                s0 += wx[t] * p[0];
                s1 += wx[t] * p[1];
                s2 += wx[t] * p[2];
            }
            o[x] = scale[0] * s0 + bias[0];
            o[plane + x] = scale[1] * s1 + bias[1];
            o[2 * plane + x] = scale[2] * s2 + bias[2];
        }
    }
}
