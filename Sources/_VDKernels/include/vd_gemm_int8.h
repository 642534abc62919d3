// int8 kernels: symmetric per-output-channel int8 weights, activations quantized per row (token) at run time,
// int8 x int8 products accumulated exactly in int32, dequantised to fp32.
//
// Paths (run-time dispatch, like vd_kernels.h): AVX512-VNNI, AVX-VNNI, AVX2, scalar. Every path gives
// bit-identical int32 results for the same int8 inputs (exact integer arithmetic, no saturation anywhere). The
// scalar path is the reference the others are tested against.
//
// Activation range. vd_linear_int8 quantizes activations to [-127, 127], so it gives the same bits on every path.
// On the AVX2 path (CPUs without VNNI) that needs a 16-bit kernel, about as fast as fp32. With the environment
// variable VD_INT8_NARROW=1 (read once; vd_int8_set_thread_narrow for one thread) the AVX2 path quantizes them
// to [-64, 64] instead (vd_int8_activation_max), where AVX2's u8 x s8 multiply-add (vpmaddubsw) cannot saturate
// and runs about twice as fast, at a measured accuracy cost (README: int8 on CPUs without VNNI). vd_gemm_int8
// takes any int8 a on every path (rows of a within [-64, 64] run the vpmaddubsw kernel on AVX2, others the 16-bit
// one).
//
// Usage:
//     vd_int8_weights *w = vd_int8_weights_pack(w_int8, w_scales, n, k);     // once, at model load
//     vd_linear_int8(y, n, x, m, k, k, w, bias, n_threads);                 // per forward pass
//     vd_int8_weights_free(w);
//
// Thread safety: packed weights are read-only after packing; any number of threads may call vd_gemm_int8,
// vd_linear_int8 and vd_quantize_rows_int8 at once, with the same or different weights. The helper threads
// (a pool shared by all calls, grown lazily to the largest n_threads - 1 asked for (at most 63), kept for the process's
// life) block on a condition variable when idle. vd_int8_set_path is the one global switch (tests, benchmarks).
#ifndef VD_GEMM_INT8_H
#define VD_GEMM_INT8_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// int8 paths, slowest to fastest.
enum { VD_INT8_SCALAR = 0, VD_INT8_AVX2 = 1, VD_INT8_AVX_VNNI = 2, VD_INT8_AVX512_VNNI = 3 };

/// The fastest int8 path this CPU supports.
int vd_int8_best_path(void);
/// 1 when this CPU can run `path`, else 0.
int vd_int8_path_supported(int path);
/// The path the int8 kernels use now for calls from this thread.
int vd_int8_get_path(void);
/// Forces a path (tests, benchmarks); returns 0, or -1 (changing nothing) when the CPU lacks it. Process-global.
int vd_int8_set_path(int path);
/// Forces a path for the calls made from this thread only (their helper threads follow it), or with -1 lets this
/// thread follow the process's path again; returns 0, or -1 (changing nothing) when the CPU lacks it. For tests
/// that compare paths while other threads run int8 models: the paths' activation ranges differ (below).
int vd_int8_set_thread_path(int path);
/// "scalar", "avx2", "avx-vnni", "avx512-vnni", or "unknown".
const char *vd_int8_path_name(int path);
/// The largest |q| of the activations vd_linear_int8 quantizes on `path` for this thread: 64 on VD_INT8_AVX2 when
/// the narrow range is on (vd_int8_narrow), else 127.
int vd_int8_activation_max(int path);
/// 1 when this thread's calls use the AVX2 path's narrow activations (VD_INT8_NARROW=1, or the override), else 0.
int vd_int8_narrow(void);
/// Overrides VD_INT8_NARROW for this thread's calls: 1 on, 0 off, -1 back to the variable (tests); returns 0, or -1
/// for another value.
int vd_int8_set_thread_narrow(int narrow);

/// The weights of one Linear layer, packed once at model load into the kernels' layout (opaque).
typedef struct vd_int8_weights vd_int8_weights;

/// Packs W int8 [n, k] row-major (PyTorch's [out, in]) with its per-row (output-channel) fp32 scales [n], so
/// that W_real[j, :] = scales[j] * W[j, :]. Copies what it needs; w and scales may be freed afterwards.
/// Returns NULL when a pointer is NULL, n or k < 1, k > 131071 (where int32 sums could overflow: |c| can reach
/// k * 128 * 128), or allocation fails.
vd_int8_weights *vd_int8_weights_pack(const int8_t *w, const float *scales, int32_t n, int32_t k);
void vd_int8_weights_free(vd_int8_weights *w);
/// Bytes the packed weights hold (for memory accounting).
size_t vd_int8_weights_bytes(const vd_int8_weights *w);

/// Quantizes each row of x [m, k] (row stride ldx) symmetrically to int8: scale_r = max|x_r| / 127,
/// q = round-half-even(x / scale_r) clamped to [-127, 127] (a zero row gets scale 0 and q = 0).
/// q: [m, k] contiguous; scales: [m]. NaN elements are left out of the max and give q = 0; a row holding an
/// infinity gets scale inf (and q = 0 for its finite elements). Does nothing when m or k < 1.
void vd_quantize_rows_int8(int8_t *q, float *scales, const float *x, int32_t m, int32_t k, int64_t ldx);
/// The same with scale_r = max|x_r| / qmax and q clamped to [-qmax, qmax], 1 <= qmax <= 127 (else nothing is
/// written): what vd_linear_int8 does with qmax = vd_int8_activation_max(path).
void vd_quantize_rows_int8_max(int8_t *q, float *scales, const float *x, int32_t m, int32_t k, int64_t ldx,
                               int32_t qmax);

/// c [m, n] (int32, row stride ldc) = a [m, k] (int8, contiguous) . W^T, exactly.
/// n_threads >= 1: threads split the work; none spins while idle. k must be the packed k; nothing is written
/// when it differs, m < 1, or a pointer is NULL.
void vd_gemm_int8(int32_t *c, int64_t ldc, const int8_t *a, int32_t m, int32_t k, const vd_int8_weights *w,
                  int32_t n_threads);

/// y [m, n] (row stride ldy) = dequant(quantize_rows_max(x [m, k], ldx, vd_int8_activation_max(path)) . W^T) + bias:
/// the int8 Linear.
/// y[i, j] = (float)c[i, j] * (a_scale[i] * w_scale[j]) + bias[j], in that order of fp32 operations (no FMA),
/// so every path gives the same bits. bias may be NULL (adds +0.0f). Returns 0, or -1 when k differs from the
/// packed k, m < 1, a pointer is NULL, or scratch memory cannot be allocated (y is then unspecified). Scratch:
/// a block of about 256 KiB of quantized rows per task, or m * (k + 4) bytes when m < 64 * n_threads (the
/// threads then split the channels). x and y must not overlap.
int vd_linear_int8(float *y, int64_t ldy, const float *x, int32_t m, int32_t k, int64_t ldx,
                   const vd_int8_weights *w, const float *bias, int32_t n_threads);

/// The residual form of vd_linear_int8: y[i, j] = y[i, j] + ((float)c[i, j] * (a_scale[i] * w_scale[j]) + bias[j]),
/// the same bits as vd_linear_int8 into a scratch buffer followed by y += scratch, in one pass. x and y must not
/// overlap. Returns as vd_linear_int8.
int vd_linear_int8_acc(float *y, int64_t ldy, const float *x, int32_t m, int32_t k, int64_t ldx,
                       const vd_int8_weights *w, const float *bias, int32_t n_threads);

#ifdef __cplusplus
}
#endif

#endif // VD_GEMM_INT8_H
