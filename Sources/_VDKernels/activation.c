// Activations in place: QuickGELU (CLIP's MLP, SPEC 2.1) and exact erf GELU (FS/VR MLPs and the QA head).
#include "vd_internal.h"
#include <math.h>

// x: [n]
void vd_quickgelu_scalar(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = x[i] / (1.0f + expf(-1.702f * x[i]));
}

// x: [n]
void vd_gelu_erf_scalar(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
}

#if VD_X86
static inline VD_AVX2 __m256 vd_quickgelu8(__m256 v) {
    __m256 e = vd_exp8(_mm256_mul_ps(v, _mm256_set1_ps(-1.702f)));
    return _mm256_div_ps(v, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

static inline VD_AVX2 __m256 vd_gelu8(__m256 v) {
    __m256 e = vd_erf8(_mm256_mul_ps(v, _mm256_set1_ps(0.70710678118654752f)));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), v), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

static inline VD_AVX512 __m512 vd_quickgelu16(__m512 v) {
    __m512 e = vd_exp16(_mm512_mul_ps(v, _mm512_set1_ps(-1.702f)));
    return _mm512_div_ps(v, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

static inline VD_AVX512 __m512 vd_gelu16(__m512 v) {
    __m512 e = vd_erf16(_mm512_mul_ps(v, _mm512_set1_ps(0.70710678118654752f)));
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

// One in-place map over x: [n] per width, with masked tails.
#define VD_MAP8(NAME, F)                                                                                     \
    static VD_AVX2 void NAME(float *x, size_t n) {                                                            \
        size_t i = 0;                                                                                         \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, F(_mm256_loadu_ps(x + i)));                        \
        if (i < n) {                                                                                          \
            __m256i m = vd_mask8(n - i);                                                                      \
            _mm256_maskstore_ps(x + i, m, F(_mm256_maskload_ps(x + i, m)));                                   \
        }                                                                                                     \
    }
#define VD_MAP16(NAME, F)                                                                                    \
    static VD_AVX512 void NAME(float *x, size_t n) {                                                          \
        size_t i = 0;                                                                                         \
        for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, F(_mm512_loadu_ps(x + i)));                     \
        if (i < n) {                                                                                          \
            __mmask16 m = vd_mask16(n - i);                                                                   \
            _mm512_mask_storeu_ps(x + i, m, F(_mm512_maskz_loadu_ps(m, x + i)));                              \
        }                                                                                                     \
    }

VD_MAP8(vd_quickgelu_avx2, vd_quickgelu8)
VD_MAP16(vd_quickgelu_avx512, vd_quickgelu16)
VD_MAP8(vd_gelu_erf_avx2, vd_gelu8)
VD_MAP16(vd_gelu_erf_avx512, vd_gelu16)
#endif

void vd_quickgelu(float *x, size_t n) { VD_DISPATCH(vd_quickgelu, (x, n)) }

void vd_gelu_erf(float *x, size_t n) { VD_DISPATCH(vd_gelu_erf, (x, n)) }
