// The AVX512-VNNI int8 tile: register blocks of MR rows x NV * 16 channels, one vpdpbusd per
// (row, 16 channels, 4 k), u8 weights from the packed blocks times broadcast s8 activations.
#include "gemm_int8_internal.h"

#if VD_INT8_X86

#define MR 6    // rows per register block
#define NV 4    // 16-channel blocks per register block: 24 accumulators + 4 weights + 1 broadcast of 32 zmm

// Sums of each row of a [rows, k] (for the -128 * rowsum correction), vpdpbusd against ones. Returns 0: this
// path has no narrow kernels, which would need the rows' largest |a|.
static VD_INT8_TARGET_AVX512 int32_t vd_int8_row_sums_avx512(int32_t *sums, const int8_t *a, int32_t rows, int32_t k) {
    const __m512i ones = _mm512_set1_epi8(1);
    for (int32_t r = 0; r < rows; r++) {
        const int8_t *row = a + (size_t)r * (size_t)k;
        __m512i acc = _mm512_setzero_si512();
        int32_t l = 0;
        for (; l + 64 <= k; l += 64) acc = _mm512_dpbusd_epi32(acc, ones, _mm512_loadu_si512(row + l));
        if (l < k) acc = _mm512_dpbusd_epi32(acc, ones, _mm512_maskz_loadu_epi8((1ull << (k - l)) - 1, row + l));
        sums[r] = _mm512_reduce_add_epi32(acc);
    }
    return 0;
}

// acc[r][v] = sum_k u[channel] * a[r] over the whole k for one register block.
static inline __attribute__((always_inline)) VD_INT8_TARGET_AVX512 void
vd_int8_block_avx512(__m512i acc[MR][NV], int mr, int nv, const int8_t *a, int32_t k, const uint8_t *w,
                     size_t q_stride) {
    for (int r = 0; r < mr; r++)
        for (int v = 0; v < nv; v++) acc[r][v] = _mm512_setzero_si512();
    const int32_t full = k / 4;
    __m512i wv[NV];
    for (int32_t q = 0; q < full; q++) {
        for (int v = 0; v < nv; v++) wv[v] = _mm512_load_si512(w + (size_t)q * q_stride + (size_t)v * 64);
        for (int r = 0; r < mr; r++) {
            __m512i ab = _mm512_set1_epi32(vd_int8_load4(a + (size_t)r * (size_t)k + (size_t)q * 4));
            for (int v = 0; v < nv; v++) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], wv[v], ab);
        }
    }
    if (full * 4 < k) {   // the last, partial group of four k (the packed weights hold zeros past k)
        for (int v = 0; v < nv; v++) wv[v] = _mm512_load_si512(w + (size_t)full * q_stride + (size_t)v * 64);
        for (int r = 0; r < mr; r++) {
            __m512i ab = _mm512_set1_epi32(vd_int8_load_tail(a + (size_t)r * (size_t)k + (size_t)full * 4, k - full * 4));
            for (int v = 0; v < nv; v++) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], wv[v], ab);
        }
    }
}

// Writes one register block: c = acc - 128 * rowsum, or y = (float)c * (a_scale * w_scale) + bias. Fully
// unrolled, so that the accumulators stay in registers (a loop would index them in memory).
static inline __attribute__((always_inline)) VD_INT8_TARGET_AVX512 void
vd_int8_store_avx512(const vd_int8_out *out, __m512i acc[MR][NV], int mr, int nv, const int32_t *sums, int32_t i,
                     int32_t j, int32_t n, const float *w_scales) {
#pragma clang loop unroll(full)
    for (int v = 0; v < nv; v++) {
        int32_t jv = j + v * 16;
        __mmask16 mask = n - jv >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - jv)) - 1);
        __m512 ws = _mm512_loadu_ps(w_scales + jv);   // scales are padded to the block
        __m512 b = out->y && out->bias ? _mm512_maskz_loadu_ps(mask, out->bias + jv) : _mm512_setzero_ps();
#pragma clang loop unroll(full)
        for (int r = 0; r < mr; r++) {
            __m512i c = _mm512_sub_epi32(acc[r][v], _mm512_set1_epi32((int32_t)((uint32_t)sums[r] << 7)));
            if (out->y) {
                __m512 s = _mm512_mul_ps(_mm512_set1_ps(out->a_scales[i + r]), ws);
                __m512 y = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(c), s), b);
                float *yp = out->y + (size_t)(i + r) * (size_t)out->ldy + (size_t)jv;
                if (out->accumulate) y = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, yp), y);
                _mm512_mask_storeu_ps(yp, mask, y);
            } else {
                _mm512_mask_storeu_epi32(out->c + (size_t)(i + r) * (size_t)out->ldc + (size_t)jv, mask, c);
            }
        }
    }
}

#define KERNEL(R, B)                                                                                          \
    static VD_INT8_TARGET_AVX512 void kernel512_##R##_##B(                                                   \
        const vd_int8_out *out, const int8_t *a, int32_t k, const uint8_t *w, size_t q_stride,            \
        const int32_t *sums, int32_t i, int32_t j, int32_t n, const float *w_scales) {                       \
        __m512i acc[MR][NV];                                                                                 \
        vd_int8_block_avx512(acc, R, B, a, k, w, q_stride);                                               \
        vd_int8_store_avx512(out, acc, R, B, sums, i, j, n, w_scales);                                       \
    }
#define KERNELS(R) KERNEL(R, 1) KERNEL(R, 2) KERNEL(R, 3) KERNEL(R, 4)
KERNELS(1) KERNELS(2) KERNELS(3) KERNELS(4) KERNELS(5) KERNELS(6)

static const vd_int8_kernel_fn kernels512[MR * NV] = {
    VD_INT8_KERNELS_4(kernel512, 1), VD_INT8_KERNELS_4(kernel512, 2), VD_INT8_KERNELS_4(kernel512, 3),
    VD_INT8_KERNELS_4(kernel512, 4), VD_INT8_KERNELS_4(kernel512, 5), VD_INT8_KERNELS_4(kernel512, 6),
};

const vd_int8_simd_path vd_int8_path_avx512_vnni = {MR, NV, kernels512, vd_int8_row_sums_avx512, 0, NULL};

#else
const vd_int8_simd_path vd_int8_path_avx512_vnni = {0, 0, NULL, NULL, 0, NULL};
#endif
