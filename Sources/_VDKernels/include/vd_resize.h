// _VDKernels: the two passes of SPEC 1.1's separable antialiased-bilinear resampler.
//
// The caller (Swift's FrameResampler) computes each axis's taps once per frame size: for output index i,
// taps[i] input indices starting at first[i] with weights w[i * max_taps + t] (normalised to sum 1).
// Only the outputs that survive the centre crop are listed, so nothing outside the crop is computed.
// The vertical pass runs first on the uint8 frame (contiguous rows, vectorisable), the horizontal pass
// second on the much smaller float intermediate. Plain C compiled with -O3; no state, thread-safe.
#ifndef VD_RESIZE_H
#define VD_RESIZE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Vertical pass: out[y, v] = sum_{t < taps[y]} w[y * max_taps + t] * in[(first[y] + t) * in_stride + v].
/// out: [rows_out, n] float; in: uint8 rows of in_stride bytes (n bytes read from each);
/// first, taps: [rows_out]; w: [rows_out, max_taps]. Every taps[y] >= 1.
void vd_resample_rows_u8(float *out, const uint8_t *in, size_t in_stride, size_t n, size_t rows_out,
                         const int32_t *first, const int32_t *taps, const float *w, size_t max_taps);

/// Horizontal pass on interleaved RGB floats, written as planar channels with an affine map per channel:
///   out[c * plane + r * out_ld + x] = scale[c] * sum_{t < taps[x]} w[x * max_taps + t] * in[r * in_ld + (first[x] + t) * 3 + c] + bias[c]
/// in: [rows, >= 3 * (first[x] + taps[x])] with row stride in_ld floats; first, taps: [cols_out];
/// w: [cols_out, max_taps]; scale, bias: [3] (1 and 0 give the plain resampled values).
void vd_resample_cols_rgb(float *out, size_t plane, size_t out_ld, const float *in, size_t in_ld, size_t rows,
                          size_t cols_out, const int32_t *first, const int32_t *taps, const float *w,
                          size_t max_taps, const float *scale, const float *bias);

#ifdef __cplusplus
}
#endif

#endif
