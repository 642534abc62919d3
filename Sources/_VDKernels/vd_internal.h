// Private to _VDKernels: the dispatch helper and the vector exp/erf the SIMD paths share.
#ifndef VD_INTERNAL_H
#define VD_INTERNAL_H

#include "vd_kernels.h"
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#define VD_X86 1
#include <immintrin.h>
#define VD_AVX2 __attribute__((target("avx2,fma")))
#define VD_AVX512 __attribute__((target("avx512f,avx512dq,avx2,fma")))
#else
#define VD_X86 0
#endif

// exp(x) = 2^n * e^r with n = round(x / ln 2), r = x - n ln 2 in [-0.347, 0.347] (ln 2 split in a part
// exact in float and a remainder), e^r by its Taylor series to r^7 (error r^8/8! < 6e-9 relative).
// x is clamped to [-87.33, 88.37] so that 2^n stays a normal float: below, the result is ~1.2e-38 instead
// of smaller; above, ~2.4e38 instead of inf. Neither matters where these kernels use exp. min/max take x
// as their second operand, which they return when it is NaN: NaN stays NaN.
#define VD_EXP_LO (-87.33f)
#define VD_EXP_HI 88.37f
#define VD_LOG2E 1.44269504088896341f
#define VD_LN2_HI 0.693359375f
#define VD_LN2_LO (-2.12194440e-4f)

// erf: see tools/fit_erf.py for the two fits and their errors.
#define VD_ERF_SPLIT 0.921875f
#define VD_ERF_CLAMP 4.0f

#if VD_X86
static inline VD_AVX2 __m256 vd_exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_set1_ps(VD_EXP_HI), _mm256_max_ps(_mm256_set1_ps(VD_EXP_LO), x));   // NaN stays NaN
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(VD_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(VD_LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(VD_LN2_LO), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

static inline VD_AVX512 __m512 vd_exp16(__m512 x) {
    x = _mm512_min_ps(_mm512_set1_ps(VD_EXP_HI), _mm512_max_ps(_mm512_set1_ps(VD_EXP_LO), x));   // NaN stays NaN
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(VD_LOG2E)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(VD_LN2_HI), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(VD_LN2_LO), r);
    __m512 p = _mm512_set1_ps(1.0f / 5040.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
}

// Horner steps of erf's two polynomials, written once for both widths.
#define VD_ERF_P(FMA, SET, z)                                                                                \
    FMA(FMA(FMA(FMA(FMA(SET(-6.024643559e-04f), z, SET(5.000903223e-03f)), z, SET(-2.677296235e-02f)), z,      \
                SET(1.128203933e-01f)), z, SET(-3.761252411e-01f)), z, SET(1.128379159e+00f))
#define VD_ERF_R(FMA, SET, u)                                                                                \
    FMA(FMA(FMA(FMA(FMA(FMA(FMA(FMA(FMA(SET(2.120235934e-02f), u, SET(-1.282009548e-01f)), u,                   \
                                    SET(3.173797744e-01f)), u, SET(-3.759440727e-01f)), u,                      \
                        SET(1.043146419e-01f)), u, SET(3.025969709e-01f)), u, SET(-4.010158248e-01f)), u,       \
                SET(2.599650536e-02f)), u, SET(5.610976544e-01f)), u, SET(1.565359473e-04f))

// erf(x): x * P(x^2) for |x| < split, sign(x) * (1 - exp(-x^2) * R(1/|x|)) above (|x| clamped to 4).
static inline VD_AVX2 __m256 vd_erf8(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_andnot_ps(sign, x);
    __m256 small = _mm256_mul_ps(x, VD_ERF_P(_mm256_fmadd_ps, _mm256_set1_ps, _mm256_mul_ps(x, x)));
    __m256 c = _mm256_min_ps(_mm256_set1_ps(VD_ERF_CLAMP), _mm256_max_ps(_mm256_set1_ps(VD_ERF_SPLIT), a));
    __m256 u = _mm256_div_ps(_mm256_set1_ps(1.0f), c);
    __m256 tail = _mm256_mul_ps(vd_exp8(_mm256_mul_ps(_mm256_sub_ps(_mm256_setzero_ps(), c), c)),
                                VD_ERF_R(_mm256_fmadd_ps, _mm256_set1_ps, u));
    __m256 large = _mm256_or_ps(_mm256_sub_ps(_mm256_set1_ps(1.0f), tail), _mm256_and_ps(sign, x));
    return _mm256_blendv_ps(small, large, _mm256_cmp_ps(a, _mm256_set1_ps(VD_ERF_SPLIT), _CMP_GE_OQ));
}

static inline VD_AVX512 __m512 vd_erf16(__m512 x) {
    __m512 a = _mm512_abs_ps(x);
    __m512 small = _mm512_mul_ps(x, VD_ERF_P(_mm512_fmadd_ps, _mm512_set1_ps, _mm512_mul_ps(x, x)));
    __m512 c = _mm512_min_ps(_mm512_set1_ps(VD_ERF_CLAMP), _mm512_max_ps(_mm512_set1_ps(VD_ERF_SPLIT), a));
    __m512 u = _mm512_div_ps(_mm512_set1_ps(1.0f), c);
    __m512 tail = _mm512_mul_ps(vd_exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), c), c)),
                                VD_ERF_R(_mm512_fmadd_ps, _mm512_set1_ps, u));
    __m512 large = _mm512_or_ps(_mm512_sub_ps(_mm512_set1_ps(1.0f), tail),
                                _mm512_and_ps(_mm512_set1_ps(-0.0f), x));
    __mmask16 big = _mm512_cmp_ps_mask(a, _mm512_set1_ps(VD_ERF_SPLIT), _CMP_GE_OQ);
    return _mm512_mask_blend_ps(big, small, large);
}

// Lane mask selecting the first `rem` (0..8) lanes, for AVX2 masked loads and stores.
static inline VD_AVX2 __m256i vd_mask8(size_t rem) {
    static const int32_t table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(table + 8 - rem));
}

static inline __mmask16 vd_mask16(size_t rem) { return (__mmask16)((1u << rem) - 1u); }

static inline VD_AVX2 float vd_hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline VD_AVX2 float vd_hmax8(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
#endif

// Calls NAME_avx512, NAME_avx2 or NAME_scalar with ARGS by the current path.
#if VD_X86
#define VD_DISPATCH(NAME, ARGS)                                                                              \
    switch (vd_get_isa()) {                                                                                  \
    case VD_ISA_AVX512: NAME##_avx512 ARGS; return;                                                          \
    case VD_ISA_AVX2: NAME##_avx2 ARGS; return;                                                              \
    default: NAME##_scalar ARGS; return;                                                                     \
    }
#define VD_DISPATCH_RETURN(NAME, ARGS)                                                                       \
    switch (vd_get_isa()) {                                                                                  \
    case VD_ISA_AVX512: return NAME##_avx512 ARGS;                                                           \
    case VD_ISA_AVX2: return NAME##_avx2 ARGS;                                                               \
    default: return NAME##_scalar ARGS;                                                                      \
    }
#else
#define VD_DISPATCH(NAME, ARGS) NAME##_scalar ARGS; return;
#define VD_DISPATCH_RETURN(NAME, ARGS) return NAME##_scalar ARGS;
#endif

#endif
