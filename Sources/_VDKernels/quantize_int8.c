// Per-row (per-token) symmetric int8 quantization of activations: scale = max|x| / qmax,
// q = round-half-even(x / scale) clamped to [-qmax, qmax] (qmax 127, or 64 for the AVX2 path's vd_linear_int8 when
// VD_INT8_NARROW=1).
// NaN elements are ignored by the max and give q = 0.
#include "gemm_int8_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void vd_quantize_row_scalar(int8_t *q, float *scale_out, const float *x, int32_t k, float qmax) {
    float amax = 0.0f;
    for (int32_t l = 0; l < k; l++) {
        float v = fabsf(x[l]);
        if (v > amax) amax = v;   // false for NaN
    }
    float scale = amax / qmax;
    *scale_out = scale;
    if (scale == 0.0f) {          // a zero row (or one so small that the scale underflows)
        memset(q, 0, (size_t)k);
        return;
    }
    for (int32_t l = 0; l < k; l++) {
        float v = x[l] / scale;
        if (v != v) v = 0.0f;
        v = v < -qmax ? -qmax : (v > qmax ? qmax : v);
        q[l] = (int8_t)lrintf(v);   // the default rounding mode: to nearest, ties to even
    }
}

#if VD_INT8_X86
// The same per row with 16 lanes. vmaxps(v, amax) returns its second operand when v is NaN, so NaN is left
// out of the max as in the scalar loop; the lanes' max is exact in any order.
static VD_INT8_TARGET_AVX512 void vd_quantize_row_avx512(int8_t *q, float *scale_out, const float *x, int32_t k,
                                                          float qmax) {
    __m512 amax = _mm512_setzero_ps();
    int32_t l = 0;
    for (; l + 16 <= k; l += 16) amax = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(x + l)), amax);
    __mmask16 tail = (__mmask16)((1u << (k - l)) - 1);
    if (tail) amax = _mm512_max_ps(_mm512_abs_ps(_mm512_maskz_loadu_ps(tail, x + l)), amax);
    float scale = _mm512_reduce_max_ps(amax) / qmax;
    *scale_out = scale;
    if (scale == 0.0f) {
        memset(q, 0, (size_t)k);
        return;
    }
    const __m512 s = _mm512_set1_ps(scale), lo = _mm512_set1_ps(-qmax), hi = _mm512_set1_ps(qmax);
    for (l = 0; l < k; l += 16) {
        __mmask16 mask = k - l >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (k - l)) - 1);
        __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(mask, x + l), s);
        v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), v);   // NaN -> 0
        v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
        // vcvtps2dq rounds as the MXCSR says, to nearest even by default, like lrintf.
        _mm_mask_storeu_epi8(q + l, mask, _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v)));
    }
}

// 8 lanes (AVX2 and AVX-VNNI); the last k % 8 elements go through the scalar formula, which is the same.
static VD_INT8_TARGET_AVX2 void vd_quantize_row_avx2(int8_t *q, float *scale_out, const float *x, int32_t k,
                                                      float qmax) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 amax = _mm256_setzero_ps();
    int32_t l = 0;
    for (; l + 8 <= k; l += 8) amax = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + l)), amax);
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    float amax_s = _mm_cvtss_f32(m4);
    for (; l < k; l++) {
        float v = fabsf(x[l]);
        if (v > amax_s) amax_s = v;
    }
    float scale = amax_s / qmax;
    *scale_out = scale;
    if (scale == 0.0f) {
        memset(q, 0, (size_t)k);
        return;
    }
    const __m256 s = _mm256_set1_ps(scale), lo = _mm256_set1_ps(-qmax), hi = _mm256_set1_ps(qmax);
    for (l = 0; l + 8 <= k; l += 8) {
        __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + l), s);
        v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));   // NaN -> 0
        v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
        __m256i i32 = _mm256_cvtps_epi32(v);
        __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(i32, i32), _mm256_setzero_si256());
        __m128i bytes = _mm_unpacklo_epi32(_mm256_castsi256_si128(packed), _mm256_extracti128_si256(packed, 1));
        _mm_storel_epi64((__m128i *)(q + l), bytes);
    }
    for (; l < k; l++) {
        float v = x[l] / scale;
        if (v != v) v = 0.0f;
        v = v < -qmax ? -qmax : (v > qmax ? qmax : v);
        q[l] = (int8_t)lrintf(v);
    }
}
#endif

void vd_int8_quantize_range(int8_t *q, float *scales, const float *x, int32_t i0, int32_t i1, int32_t k,
                            int64_t ldx, int32_t qmax, int path) {
    void (*row)(int8_t *, float *, const float *, int32_t, float) = vd_quantize_row_scalar;
    (void)path;
#if VD_INT8_X86
    if (path == VD_INT8_AVX512_VNNI) row = vd_quantize_row_avx512;
    else if (path != VD_INT8_SCALAR) row = vd_quantize_row_avx2;
#endif
    for (int32_t i = i0; i < i1; i++)
        row(q + (size_t)i * (size_t)k, scales + i, x + (size_t)i * (size_t)ldx, k, (float)qmax);
}

void vd_quantize_rows_int8(int8_t *q, float *scales, const float *x, int32_t m, int32_t k, int64_t ldx) {
    if (!q || !scales || !x || m < 1 || k < 1) return;
    vd_int8_quantize_range(q, scales, x, 0, m, k, ldx, 127, vd_int8_get_path());
}

void vd_quantize_rows_int8_max(int8_t *q, float *scales, const float *x, int32_t m, int32_t k, int64_t ldx,
                               int32_t qmax) {
    if (!q || !scales || !x || m < 1 || k < 1 || qmax < 1 || qmax > 127) return;
    vd_int8_quantize_range(q, scales, x, 0, m, k, ldx, qmax, vd_int8_get_path());
}

// The AVX2 path's narrow activations: off unless VD_INT8_NARROW=1 (read once) or this thread's override says so.
static __thread int vd_int8_narrow_thread = -1;

static int vd_int8_narrow_process(void) {
    static int narrow = -1;   // -1: not read yet
    int n = __atomic_load_n(&narrow, __ATOMIC_RELAXED);
    if (n < 0) {
        const char *v = getenv("VD_INT8_NARROW");
        n = v && !strcmp(v, "1");
        __atomic_store_n(&narrow, n, __ATOMIC_RELAXED);
    }
    return n;
}

int vd_int8_narrow(void) { return vd_int8_narrow_thread >= 0 ? vd_int8_narrow_thread : vd_int8_narrow_process(); }

int vd_int8_set_thread_narrow(int narrow) {
    if (narrow < -1 || narrow > 1) return -1;
    vd_int8_narrow_thread = narrow;
    return 0;
}

int vd_int8_activation_max(int path) {
    return path == VD_INT8_AVX2 && vd_int8_narrow() ? VD_INT8_AVX2_ACT_MAX : 127;
}
