// LayerNorm over rows (SPEC 2.1 and 4): two passes per row (the mean, then the biased variance of
// x - mean), both summed in double: a row whose mean is large next to its spread (a residual stream's
// outlier dimensions) keeps full fp32 accuracy in x - mean. The normalisation itself is fp32.
#include "vd_internal.h"
#include <math.h>

// y: [rows, n], x: [rows, n], w, b: [n]
void vd_layernorm_rows_scalar(float *y, const float *x, const float *w, const float *b, size_t rows, size_t n,
                              float eps) {
    for (size_t r = 0; r < rows; r++, x += n, y += n) {
        double sum = 0;
        for (size_t j = 0; j < n; j++) sum += x[j];
        const float mean = (float)(sum / (double)n);
        double sq = 0;
        for (size_t j = 0; j < n; j++) sq += (double)((x[j] - mean) * (x[j] - mean));
        const float rstd = 1.0f / sqrtf((float)(sq / (double)n) + eps);
        for (size_t j = 0; j < n; j++) y[j] = (x[j] - mean) * rstd * w[j] + b[j];
    }
}

#if VD_X86
// Sum of 8 floats into two double accumulators.
#define VD_ACC8(lo, hi, v)                                                                                   \
    do {                                                                                                     \
        lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));                                  \
        hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));                                \
    } while (0)

static inline VD_AVX2 double vd_hsum4d(__m256d v) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

static VD_AVX2 void vd_layernorm_rows_avx2(float *y, const float *x, const float *w, const float *b, size_t rows,
                                           size_t n, float eps) {
    const size_t rem = n % 8, body = n - rem;
    const __m256i tail = vd_mask8(rem);
    for (size_t r = 0; r < rows; r++, x += n, y += n) {
        __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
        for (size_t j = 0; j < body; j += 8) VD_ACC8(lo, hi, _mm256_loadu_ps(x + j));
        if (rem) VD_ACC8(lo, hi, _mm256_maskload_ps(x + body, tail));
        const float mean = (float)(vd_hsum4d(_mm256_add_pd(lo, hi)) / (double)n);
        const __m256 m = _mm256_set1_ps(mean);
        lo = hi = _mm256_setzero_pd();
        for (size_t j = 0; j < body; j += 8) {
            __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + j), m);
            VD_ACC8(lo, hi, _mm256_mul_ps(d, d));
        }
        if (rem) {
            __m256 d = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(x + body, tail), m), _mm256_castsi256_ps(tail));
            VD_ACC8(lo, hi, _mm256_mul_ps(d, d));
        }
        const float var = (float)(vd_hsum4d(_mm256_add_pd(lo, hi)) / (double)n);
        const __m256 rstd = _mm256_set1_ps(1.0f / sqrtf(var + eps));
        for (size_t j = 0; j < body; j += 8) {
            __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + j), m), rstd);
            _mm256_storeu_ps(y + j, _mm256_fmadd_ps(d, _mm256_loadu_ps(w + j), _mm256_loadu_ps(b + j)));
        }
        if (rem) {
            __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_maskload_ps(x + body, tail), m), rstd);
            __m256 v = _mm256_fmadd_ps(d, _mm256_maskload_ps(w + body, tail), _mm256_maskload_ps(b + body, tail));
            _mm256_maskstore_ps(y + body, tail, v);
        }
    }
}

// Sum of 16 floats into two double accumulators.
#define VD_ACC16(lo, hi, v)                                                                                  \
    do {                                                                                                     \
        lo = _mm512_add_pd(lo, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));                                  \
        hi = _mm512_add_pd(hi, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)))); \
    } while (0)

static VD_AVX512 void vd_layernorm_rows_avx512(float *y, const float *x, const float *w, const float *b,
                                               size_t rows, size_t n, float eps) {
    const size_t rem = n % 16, body = n - rem;
    const __mmask16 tail = vd_mask16(rem);
    for (size_t r = 0; r < rows; r++, x += n, y += n) {
        __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd();
        for (size_t j = 0; j < body; j += 16) VD_ACC16(lo, hi, _mm512_loadu_ps(x + j));
        if (rem) VD_ACC16(lo, hi, _mm512_maskz_loadu_ps(tail, x + body));
        const float mean = (float)(_mm512_reduce_add_pd(_mm512_add_pd(lo, hi)) / (double)n);
        const __m512 m = _mm512_set1_ps(mean);
        lo = hi = _mm512_setzero_pd();
        for (size_t j = 0; j < body; j += 16) {
            __m512 d = _mm512_sub_ps(_mm512_loadu_ps(x + j), m);
            VD_ACC16(lo, hi, _mm512_mul_ps(d, d));
        }
        if (rem) {
            __m512 d = _mm512_maskz_sub_ps(tail, _mm512_maskz_loadu_ps(tail, x + body), m);
            VD_ACC16(lo, hi, _mm512_mul_ps(d, d));
        }
        const float var = (float)(_mm512_reduce_add_pd(_mm512_add_pd(lo, hi)) / (double)n);
        const __m512 rstd = _mm512_set1_ps(1.0f / sqrtf(var + eps));
        for (size_t j = 0; j < body; j += 16) {
            __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x + j), m), rstd);
            _mm512_storeu_ps(y + j, _mm512_fmadd_ps(d, _mm512_loadu_ps(w + j), _mm512_loadu_ps(b + j)));
        }
        if (rem) {
            __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + body), m), rstd);
            __m512 v = _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(tail, w + body), _mm512_maskz_loadu_ps(tail, b + body));
            _mm512_mask_storeu_ps(y + body, tail, v);
        }
    }
}
#endif

void vd_layernorm_rows(float *y, const float *x, const float *w, const float *b, size_t rows, size_t n, float eps) {
    VD_DISPATCH(vd_layernorm_rows, (y, x, w, b, rows, n, eps))
}
