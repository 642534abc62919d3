// int8 kernels: symmetric per-output-channel int8 weights, activations quantized per row (token) at run time,
// int8 x int8 products accumulated exactly in int32, dequantised to fp32.
//
// Paths (run-time dispatch, like vd_kernels.h): AVX512-VNNI, AVX-VNNI, AVX2, scalar. Every path gives
// bit-identical int32 results (exact integer arithmetic, no saturation anywhere), so the fp32 outputs of
// vd_linear_s8 are identical too. The scalar path is the reference the others are tested against.
#ifndef VD_GEMM_S8_H
#define VD_GEMM_S8_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// int8 paths, slowest to fastest.
enum { VD_S8_SCALAR = 0, VD_S8_AVX2 = 1, VD_S8_AVX_VNNI = 2, VD_S8_AVX512_VNNI = 3 };

/// The fastest int8 path this CPU supports.
int vd_s8_best_path(void);
/// The path the int8 kernels use now.
int vd_s8_get_path(void);
/// Forces a path (tests, benchmarks); returns 0, or -1 (changing nothing) when the CPU lacks it. Process-global.
int vd_s8_set_path(int path);
/// "scalar", "avx2", "avx-vnni", "avx512-vnni", or "unknown".
const char *vd_s8_path_name(int path);

/// The weights of one Linear layer, packed once at model load into the kernels' layout (opaque).
typedef struct vd_s8_weights vd_s8_weights;

/// Packs W int8 [n, k] row-major (PyTorch's [out, in]) with its per-row (output-channel) fp32 scales [n], so
/// that W_real[j, :] = scales[j] * W[j, :]. Copies what it needs; w and scales may be freed afterwards.
/// Returns NULL when n or k < 1, or allocation fails.
vd_s8_weights *vd_s8_weights_pack(const int8_t *w, const float *scales, int32_t n, int32_t k);
void vd_s8_weights_free(vd_s8_weights *w);
/// Bytes the packed weights hold (for memory accounting).
size_t vd_s8_weights_bytes(const vd_s8_weights *w);

/// Quantizes each row of x [m, k] (row stride ldx) symmetrically to int8: scale_r = max|x_r| / 127,
/// q = round-half-even(x / scale_r) clamped to [-127, 127] (a zero row gets scale 0 and q = 0).
/// q: [m, k] contiguous; scales: [m].
void vd_quantize_rows_s8(int8_t *q, float *scales, const float *x, int32_t m, int32_t k, int64_t ldx);

/// c [m, n] (int32, row stride ldc) = a [m, k] (int8, contiguous) . W^T, exactly.
/// n_threads >= 1: threads split the work; none spins while idle.
void vd_gemm_s8(int32_t *c, int64_t ldc, const int8_t *a, int32_t m, int32_t k, const vd_s8_weights *w,
                int32_t n_threads);

/// y [m, n] (row stride ldy) = dequant(quantize_rows(x [m, k], ldx) . W^T) + bias: the int8 Linear.
/// y[i, j] = a_scale[i] * w_scale[j] * c[i, j] + bias[j]. bias may be NULL. Returns 0, or -1 when
/// scratch memory cannot be allocated.
int vd_linear_s8(float *y, int64_t ldy, const float *x, int32_t m, int32_t k, int64_t ldx,
                 const vd_s8_weights *w, const float *bias, int32_t n_threads);

#ifdef __cplusplus
}
#endif

#endif // VD_GEMM_S8_H
