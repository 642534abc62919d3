// Small vector helpers: bias and residual adds, dot product, axpy.
#include "vd_internal.h"

// y: [rows, n], b: [n]
void vd_add_bias_rows_scalar(float *y, const float *b, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++, y += n)
        for (size_t j = 0; j < n; j++) y[j] += b[j];
}

// y, x: [n]
void vd_add_scalar(float *y, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

// a, b: [n]
float vd_dot_scalar(const float *a, const float *b, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

// y, x: [n]
void vd_axpy_scalar(float *y, float alpha, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

#if VD_X86
static VD_AVX2 void vd_add_avx2(float *y, const float *x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    for (; i < n; i++) y[i] += x[i];
}

static VD_AVX512 void vd_add_avx512(float *y, const float *x, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(y + i), _mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = vd_mask16(n - i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + i), _mm512_maskz_loadu_ps(m, x + i)));
    }
}

static VD_AVX2 void vd_add_bias_rows_avx2(float *y, const float *b, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++, y += n) vd_add_avx2(y, b, n);
}

static VD_AVX512 void vd_add_bias_rows_avx512(float *y, const float *b, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++, y += n) vd_add_avx512(y, b, n);
}

static VD_AVX2 float vd_dot_avx2(const float *a, const float *b, size_t n) {
    __m256 acc = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
    if (i < n) {
        __m256i m = vd_mask8(n - i);
        acc = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m), acc);
    }
    return vd_hsum8(acc);
}

static VD_AVX512 float vd_dot_avx512(const float *a, const float *b, size_t n) {
    __m512 acc = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc);
    if (i < n) {
        __mmask16 m = vd_mask16(n - i);
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), acc);
    }
    return _mm512_reduce_add_ps(acc);
}

static VD_AVX2 void vd_axpy_avx2(float *y, float alpha, const float *x, size_t n) {
    const __m256 a = _mm256_set1_ps(alpha);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += alpha * x[i];
}

static VD_AVX512 void vd_axpy_avx512(float *y, float alpha, const float *x, size_t n) {
    const __m512 a = _mm512_set1_ps(alpha);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(a, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
    if (i < n) {
        __mmask16 m = vd_mask16(n - i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_fmadd_ps(a, _mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i)));
    }
}
#endif

void vd_add_bias_rows(float *y, const float *b, size_t rows, size_t n) { VD_DISPATCH(vd_add_bias_rows, (y, b, rows, n)) }

void vd_add(float *y, const float *x, size_t n) { VD_DISPATCH(vd_add, (y, x, n)) }

float vd_dot(const float *a, const float *b, size_t n) { VD_DISPATCH_RETURN(vd_dot, (a, b, n)) }

void vd_axpy(float *y, float alpha, const float *x, size_t n) { VD_DISPATCH(vd_axpy, (y, alpha, x, n)) }
