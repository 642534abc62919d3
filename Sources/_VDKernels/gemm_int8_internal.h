// Private to _VDKernels: the packed int8 weights, the per-path tile kernels and the thread pool behind
// vd_gemm_int8.h.
//
// Exactness. Packed weights hold u = w + 128 (u8, 1..255, or 0 for w = -128), so that VNNI's vpdpbusd
// (u8 x s8, four products summed into each int32 lane, wrapping, never saturating) multiplies them with the
// activations a as they are (s8). Then sum_k u * a = sum_k w * a + 128 * sum_k a, so
//     c[i, j] = acc[i, j] - 128 * rowsum(a[i])      (int32, wrapping arithmetic)
// which is exact whenever the true c fits in int32: |c| <= k * 128 * 128, hence k <= VD_INT8_MAX_K.
// Padding (k up to a multiple of 4, n up to a multiple of 16) holds u = 0, which adds nothing.
#ifndef VD_GEMM_INT8_INTERNAL_H
#define VD_GEMM_INT8_INTERNAL_H

#include "vd_gemm_int8.h"
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#define VD_INT8_X86 1
#include <immintrin.h>
#define VD_INT8_TARGET_AVX2 __attribute__((target("avx2")))
#define VD_INT8_TARGET_AVX_VNNI __attribute__((target("avx2,avxvnni")))
#define VD_INT8_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2")))
#else
#define VD_INT8_X86 0
#endif

/// Output channels per packed block: one 512-bit register of int32 lanes.
#define VD_INT8_NB 16
/// Blocks per group in the packed layout: the AVX512-VNNI register block's width.
#define VD_INT8_GROUP 4
/// Largest k whose int32 results cannot overflow: k * 128 * 128 <= 2^31 - 1.
#define VD_INT8_MAX_K 131071

/// Packed weights: u8 = w + 128 in groups of VD_INT8_GROUP blocks of 16 channels (the last group may hold fewer,
/// g blocks): data [n_groups][k4][g][16][4], i.e. for each four consecutive k, the group's blocks side by side,
/// each the 16 channels' four bytes (the order vpdpbusd reads), so that a register block of a whole group reads
/// one contiguous stream; scales [n_blocks * 16] (0 in padding).
struct vd_int8_weights {
    int32_t n, k;          // logical sizes: W is [n, k]
    int32_t n_blocks, k4;  // ceil(n / 16) blocks, ceil(k / 4) groups of four k
    uint8_t *data;         // [n_groups][k4][g][16][4]
    float *scales;         // [n_blocks * 16]
    size_t bytes;          // what both arrays hold
};

/// Where a tile's results go: int32 c (vd_gemm_int8), or fp32 y = c * (a_scales[i] * w.scales[j]) + bias[j]
/// (vd_linear_int8; bias NULL adds +0.0f), added to y's old value when accumulate (vd_linear_int8_acc). Every path
/// computes y in exactly this order, so results are identical.
typedef struct {
    int32_t *c;
    int64_t ldc;
    float *y;              // when non-NULL, y is written instead of c
    int64_t ldy;
    int accumulate;        // y[i, j] = y[i, j] + (the value above)
    const float *a_scales; // [m]
    const float *bias;     // [n] or NULL
} vd_int8_out;

/// Computes rows [i0, i1) x channel blocks [b0, b1) of a [m, k] (contiguous int8) . W^T into out: the scalar
/// reference.
void vd_int8_tile_scalar(const vd_int8_out *out, const int8_t *a, int32_t i0, int32_t i1, const vd_int8_weights *w,
                         int32_t b0, int32_t b1);

/// Where block b starts (its first four k), and the bytes from one four-k step of it to the next (*q_stride).
static inline const uint8_t *vd_int8_block(const vd_int8_weights *w, int32_t b, size_t *q_stride) {
    int32_t g0 = b / VD_INT8_GROUP * VD_INT8_GROUP;
    int32_t g = w->n_blocks - g0 < VD_INT8_GROUP ? w->n_blocks - g0 : VD_INT8_GROUP;
    *q_stride = (size_t)g * VD_INT8_NB * 4;
    return w->data + (size_t)g0 * (size_t)w->k4 * VD_INT8_NB * 4 + (size_t)(b - g0) * VD_INT8_NB * 4;
}

/// A SIMD path's register-block kernel: rows [i, i + mr) of a (k bytes each) times nb consecutive blocks of
/// one group, starting at w (block v's four-k step q at w + q * q_stride + 64 v), channels [j, j + 16 nb)
/// clipped to n, written to out after the -128 * sums correction (sums: the rows' sums of a).
typedef void (*vd_int8_kernel_fn)(const vd_int8_out *out, const int8_t *a, int32_t k, const uint8_t *w,
                                  size_t q_stride, const int32_t *sums, int32_t i, int32_t j, int32_t n,
                                  const float *w_scales);
/// Sums of each row of a [rows, k]; returns the rows' largest |a| where the path has narrow kernels.
typedef int32_t (*vd_int8_row_sums_fn)(int32_t *sums, const int8_t *a, int32_t rows, int32_t k);

/// Activations on the AVX2 path with VD_INT8_NARROW=1: vd_linear_int8 quantizes them to [-64, 64], where vpmaddubsw
/// cannot saturate.
#define VD_INT8_AVX2_ACT_MAX 64

/// A SIMD path: kernels[(mr - 1) * nb_max + (nb - 1)] for every 1 <= mr <= mr_max, 1 <= nb <= nb_max, exact for
/// every int8 a; and, where narrow_kernels is not NULL, faster kernels (nb = 1, mr <= narrow_mr_max) that are exact
/// only for rows whose |a| <= VD_INT8_AVX2_ACT_MAX.
typedef struct {
    int32_t mr_max, nb_max;
    const vd_int8_kernel_fn *kernels;
    vd_int8_row_sums_fn row_sums;
    int32_t narrow_mr_max;
    const vd_int8_kernel_fn *narrow_kernels;
} vd_int8_simd_path;

extern const vd_int8_simd_path vd_int8_path_avx2, vd_int8_path_avx_vnni, vd_int8_path_avx512_vnni;

/// The cache-blocked loops over register blocks shared by the SIMD paths (gemm_int8_tile.c).
void vd_int8_tile_simd(const vd_int8_simd_path *path, const vd_int8_out *out, const int8_t *a, int32_t i0, int32_t i1,
                       const vd_int8_weights *w, int32_t b0, int32_t b1);

/// Four bytes of an activation row as one int32 lane (any alignment).
static inline int32_t vd_int8_load4(const int8_t *p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

/// The last 1..3 bytes of an activation row as one int32 lane, zero-filled (never reads past the row). Byte by
/// byte rather than a memcpy call, which would make the kernels spill their accumulators.
static inline int32_t vd_int8_load_tail(const int8_t *p, int32_t avail) {
    uint32_t v = 0;
    for (int32_t i = 0; i < avail; i++) v |= (uint32_t)(uint8_t)p[i] << (8 * i);
    return (int32_t)v;
}

/// The kernel table of a path: one function per register-block shape, so that each keeps its accumulators in
/// registers. KERNEL(R, B) must define NAME##_R_B.
#define VD_INT8_KERNELS_1(NAME, R) NAME##_##R##_1
#define VD_INT8_KERNELS_4(NAME, R) NAME##_##R##_1, NAME##_##R##_2, NAME##_##R##_3, NAME##_##R##_4

/// Quantizes rows [i0, i1) of x as vd_quantize_rows_int8_max does with qmax, with `path`'s vector code.
void vd_int8_quantize_range(int8_t *q, float *scales, const float *x, int32_t i0, int32_t i1, int32_t k, int64_t ldx,
                            int32_t qmax, int path);

/// One task of a parallel loop: task in [0, n_tasks).
typedef void (*vd_int8_task_fn)(void *ctx, int32_t task);

/// Runs fn(ctx, t) for every t in [0, n_tasks) on up to n_threads threads (the caller's included), returning
/// when all are done. Helpers come from a lazily grown pool whose idle threads block on a condition
/// variable. Any number of threads may call this at once; each call's tasks run only its own fn.
void vd_int8_parallel_for(int32_t n_tasks, int32_t n_threads, vd_int8_task_fn fn, void *ctx);

#endif // VD_GEMM_INT8_INTERNAL_H
