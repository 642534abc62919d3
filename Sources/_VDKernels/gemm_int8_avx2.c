// The 256-bit int8 paths, register blocks of MR rows x one 16-channel block (two ymm halves of 8 channels):
//   - AVX-VNNI: VEX vpdpbusd, 16 ymm registers.
//   - AVX2 without VNNI, narrow: vpmaddubsw multiplies u (0..255) by a and sums each pair into int16, which
//     saturates unless |a| <= VD_INT8_AVX2_ACT_MAX (64): |pair| <= 2 * 255 * 64 = 32640 <= 32767. vpmaddwd against
//     ones then sums the pairs into int32. Two multiplies per 32 products: about twice an fp32 FMA's rate. (Exact
//     for any a as |a| times sign(a) * w, vpabsb and vpsignb cost more than they save: measured 0.6x on Zen 4.)
//     With VD_INT8_NARROW=1, vd_linear_int8 quantizes activations to [-64, 64] on this path so that this kernel
//     always applies; by default it keeps [-127, 127] (SPEC 8 accuracy) and runs the wide kernel.
//   - AVX2 wide, for rows holding a value outside [-64, 64]: u and a widened to int16,
//     vpmaddwd sums two products (|.| <= 65280) into int32. Half the narrow kernel's rate.
#include "gemm_int8_internal.h"

#if VD_INT8_X86

#define MR_VNNI 6     // 12 accumulators + 2 weights + 1 broadcast of 16 ymm
#define MR_AVX2 4     // 8 accumulators + 4 widened weights + 2 widened broadcasts
#define MR_NARROW 4   // 8 accumulators + 2 weights + ones + broadcast + product (5 rows measured slower)

// Sums of each row of a [rows, k]: vpmaddubsw against ones (|pair| <= 256, no saturation), then vpmaddwd.
// Returns the largest |a| of the rows (128 for -128).
static VD_INT8_TARGET_AVX2 int32_t vd_int8_row_sums_avx2(int32_t *sums, const int8_t *a, int32_t rows, int32_t k) {
    const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    __m256i amax = _mm256_setzero_si256();
    int32_t amax_tail = 0;
    for (int32_t r = 0; r < rows; r++) {
        const int8_t *row = a + (size_t)r * (size_t)k;
        __m256i acc = _mm256_setzero_si256();
        int32_t l = 0;
        for (; l + 32 <= k; l += 32) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(row + l));
            amax = _mm256_max_epu8(amax, _mm256_abs_epi8(v));   // |-128| is 0x80 = 128 as unsigned
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, v), ones16));
        }
        __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
        int32_t sum = _mm_cvtsi128_si32(s);
        for (; l < k; l++) {
            sum += row[l];
            int32_t v = row[l] < 0 ? -(int32_t)row[l] : row[l];
            if (v > amax_tail) amax_tail = v;
        }
        sums[r] = sum;
    }
    __m128i m = _mm_max_epu8(_mm256_castsi256_si128(amax), _mm256_extracti128_si256(amax, 1));
    m = _mm_max_epu8(m, _mm_srli_si128(m, 8));
    m = _mm_max_epu8(m, _mm_srli_si128(m, 4));
    m = _mm_max_epu8(m, _mm_srli_si128(m, 2));
    m = _mm_max_epu8(m, _mm_srli_si128(m, 1));
    int32_t vmax = _mm_cvtsi128_si32(m) & 0xFF;
    return vmax > amax_tail ? vmax : amax_tail;
}

// Writes one register block: c = acc - 128 * rowsum, or y = (float)c * (a_scale * w_scale) + bias; channels
// from n on are masked off.
static inline __attribute__((always_inline)) VD_INT8_TARGET_AVX2 void
vd_int8_store_avx2(const vd_int8_out *out, __m256i acc[][2], int mr, const int32_t *sums, int32_t i, int32_t j,
                   int32_t n, const float *w_scales) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
#pragma clang loop unroll(full)
    for (int h = 0; h < 2; h++) {
        int32_t jh = j + 8 * h;
        if (jh >= n) break;
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n - jh), lanes);
        __m256 ws = _mm256_loadu_ps(w_scales + jh);   // scales are padded to the block
        __m256 b = out->y && out->bias ? _mm256_maskload_ps(out->bias + jh, mask) : _mm256_setzero_ps();
#pragma clang loop unroll(full)
        for (int r = 0; r < mr; r++) {
            __m256i c = _mm256_sub_epi32(acc[r][h], _mm256_set1_epi32((int32_t)((uint32_t)sums[r] << 7)));
            if (out->y) {
                __m256 s = _mm256_mul_ps(_mm256_set1_ps(out->a_scales[i + r]), ws);
                __m256 y = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(c), s), b);
                float *yp = out->y + (size_t)(i + r) * (size_t)out->ldy + (size_t)jh;
                if (out->accumulate) y = _mm256_add_ps(_mm256_maskload_ps(yp, mask), y);
                _mm256_maskstore_ps(yp, mask, y);
            } else {
                _mm256_maskstore_epi32(out->c + (size_t)(i + r) * (size_t)out->ldc + (size_t)jh, mask, c);
            }
        }
    }
}

// One group of four k for every row: the rows' four bytes ab[r] times the 16 channels' u (AVX-VNNI).
static inline __attribute__((always_inline)) VD_INT8_TARGET_AVX_VNNI void
vd_int8_step_avx_vnni(__m256i acc[MR_VNNI][2], int mr, const __m256i ab[MR_VNNI], const uint8_t *wq) {
    __m256i w0 = _mm256_load_si256((const __m256i *)wq), w1 = _mm256_load_si256((const __m256i *)(wq + 32));
    for (int r = 0; r < mr; r++) {
        acc[r][0] = _mm256_dpbusd_avx_epi32(acc[r][0], w0, ab[r]);
        acc[r][1] = _mm256_dpbusd_avx_epi32(acc[r][1], w1, ab[r]);
    }
}

// The same with 16-bit widening (AVX2): even bytes (k0, k2) and odd bytes (k1, k3) of each group as int16
// pairs, u zero-extended, a sign-extended, one vpmaddwd per pair.
static inline __attribute__((always_inline)) VD_INT8_TARGET_AVX2 void
vd_int8_step_avx2(__m256i acc[MR_AVX2][2], int mr, const __m256i ab[MR_AVX2], const uint8_t *wq) {
    const __m256i low_bytes = _mm256_set1_epi16(0x00FF);
    __m256i w0 = _mm256_load_si256((const __m256i *)wq), w1 = _mm256_load_si256((const __m256i *)(wq + 32));
    __m256i we[2] = {_mm256_and_si256(w0, low_bytes), _mm256_and_si256(w1, low_bytes)};
    __m256i wo[2] = {_mm256_srli_epi16(w0, 8), _mm256_srli_epi16(w1, 8)};
    for (int r = 0; r < mr; r++) {
        __m256i ae = _mm256_srai_epi16(_mm256_slli_epi16(ab[r], 8), 8), ao = _mm256_srai_epi16(ab[r], 8);
        for (int h = 0; h < 2; h++)
            acc[r][h] = _mm256_add_epi32(acc[r][h], _mm256_add_epi32(_mm256_madd_epi16(we[h], ae),
                                                                      _mm256_madd_epi16(wo[h], ao)));
    }
}

// The same with vpmaddubsw (AVX2, |a| <= 64): u (unsigned) times a (signed), pairs summed in int16, then in int32.
static inline __attribute__((always_inline)) VD_INT8_TARGET_AVX2 void
vd_int8_step_narrow(__m256i acc[MR_NARROW][2], int mr, const __m256i ab[MR_NARROW], const uint8_t *wq) {
    const __m256i ones16 = _mm256_set1_epi16(1);
    __m256i w0 = _mm256_load_si256((const __m256i *)wq), w1 = _mm256_load_si256((const __m256i *)(wq + 32));
    for (int r = 0; r < mr; r++) {
        acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(_mm256_maddubs_epi16(w0, ab[r]), ones16));
        acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(_mm256_maddubs_epi16(w1, ab[r]), ones16));
    }
}

// acc[r][h] = sum_k u * a[r] over the whole k for one block, STEP per group of four k.
#define VD_INT8_BLOCK256(NAME, TARGET, MR, STEP)                                                              \
    static inline __attribute__((always_inline)) TARGET void NAME(__m256i acc[MR][2], int mr, const int8_t *a, \
                                                                  int32_t k, const uint8_t *w, size_t q_stride) {            \
        for (int r = 0; r < mr; r++) acc[r][0] = acc[r][1] = _mm256_setzero_si256();                         \
        __m256i ab[MR];                                                                                      \
        const int32_t full = k / 4;                                                                          \
        for (int32_t q = 0; q < full; q++) {                                                                 \
            for (int r = 0; r < mr; r++)                                                                     \
                ab[r] = _mm256_set1_epi32(vd_int8_load4(a + (size_t)r * (size_t)k + (size_t)q * 4));         \
            STEP(acc, mr, ab, w + (size_t)q * q_stride);                                                           \
        }                                                                                                    \
        if (full * 4 < k) { /* the last, partial group (the packed weights hold zeros past k) */            \
            for (int r = 0; r < mr; r++)                                                                     \
                ab[r] = _mm256_set1_epi32(vd_int8_load_tail(a + (size_t)r * (size_t)k + (size_t)full * 4,   \
                                                            k - full * 4));                                    \
            STEP(acc, mr, ab, w + (size_t)full * q_stride);                                                        \
        }                                                                                                    \
    }
VD_INT8_BLOCK256(vd_int8_block_avx_vnni, VD_INT8_TARGET_AVX_VNNI, MR_VNNI, vd_int8_step_avx_vnni)
VD_INT8_BLOCK256(vd_int8_block_avx2, VD_INT8_TARGET_AVX2, MR_AVX2, vd_int8_step_avx2)
VD_INT8_BLOCK256(vd_int8_block_narrow, VD_INT8_TARGET_AVX2, MR_NARROW, vd_int8_step_narrow)

#define KERNEL(NAME, TARGET, BLOCK, MR, R)                                                                    \
    static TARGET void NAME##_##R##_1(const vd_int8_out *out, const int8_t *a, int32_t k, const uint8_t *w,  \
                                      size_t q_stride, const int32_t *sums, int32_t i, int32_t j,         \
                                      int32_t n, const float *w_scales) {                                    \
                                                                                           \
        __m256i acc[MR][2];                                                                                  \
        BLOCK(acc, R, a, k, w, q_stride);                                                                              \
        vd_int8_store_avx2(out, acc, R, sums, i, j, n, w_scales);                                            \
    }
#define KERNEL_VNNI(R) KERNEL(kernel_vnni, VD_INT8_TARGET_AVX_VNNI, vd_int8_block_avx_vnni, MR_VNNI, R)
#define KERNEL_AVX2(R) KERNEL(kernel_avx2, VD_INT8_TARGET_AVX2, vd_int8_block_avx2, MR_AVX2, R)
KERNEL_VNNI(1) KERNEL_VNNI(2) KERNEL_VNNI(3) KERNEL_VNNI(4) KERNEL_VNNI(5) KERNEL_VNNI(6)
#define KERNEL_NARROW(R) KERNEL(kernel_narrow, VD_INT8_TARGET_AVX2, vd_int8_block_narrow, MR_NARROW, R)
KERNEL_AVX2(1) KERNEL_AVX2(2) KERNEL_AVX2(3) KERNEL_AVX2(4)
KERNEL_NARROW(1) KERNEL_NARROW(2) KERNEL_NARROW(3) KERNEL_NARROW(4)

static const vd_int8_kernel_fn kernels_vnni[MR_VNNI] = {
    VD_INT8_KERNELS_1(kernel_vnni, 1), VD_INT8_KERNELS_1(kernel_vnni, 2), VD_INT8_KERNELS_1(kernel_vnni, 3),
    VD_INT8_KERNELS_1(kernel_vnni, 4), VD_INT8_KERNELS_1(kernel_vnni, 5), VD_INT8_KERNELS_1(kernel_vnni, 6),
};
static const vd_int8_kernel_fn kernels_avx2[MR_AVX2] = {
    VD_INT8_KERNELS_1(kernel_avx2, 1), VD_INT8_KERNELS_1(kernel_avx2, 2), VD_INT8_KERNELS_1(kernel_avx2, 3),
    VD_INT8_KERNELS_1(kernel_avx2, 4),
};

static const vd_int8_kernel_fn kernels_narrow[MR_NARROW] = {
    VD_INT8_KERNELS_1(kernel_narrow, 1), VD_INT8_KERNELS_1(kernel_narrow, 2), VD_INT8_KERNELS_1(kernel_narrow, 3),
    VD_INT8_KERNELS_1(kernel_narrow, 4),
};

const vd_int8_simd_path vd_int8_path_avx_vnni = {MR_VNNI, 1, kernels_vnni, vd_int8_row_sums_avx2, 0, NULL};
const vd_int8_simd_path vd_int8_path_avx2 = {MR_AVX2, 1, kernels_avx2, vd_int8_row_sums_avx2, MR_NARROW,
                                             kernels_narrow};

#else
const vd_int8_simd_path vd_int8_path_avx_vnni = {0, 0, NULL, NULL, 0, NULL};
const vd_int8_simd_path vd_int8_path_avx2 = {0, 0, NULL, NULL, 0, NULL};
#endif
