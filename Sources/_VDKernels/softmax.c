// Row softmax, max-subtracted (attention scores, SPEC 2.1 / 4 / 6). A NaN anywhere in a row makes the row NaN.
#include "vd_internal.h"
#include <math.h>

// x: [rows, n], row stride ld
void vd_softmax_rows_scalar(float *x, size_t rows, size_t n, size_t ld) {
    if (n == 0) return;
    for (size_t r = 0; r < rows; r++, x += ld) {
        float m = x[0];
        for (size_t j = 1; j < n; j++) m = x[j] > m ? x[j] : m;
        float sum = 0;
        for (size_t j = 0; j < n; j++) {
            x[j] = expf(x[j] - m);
            sum += x[j];
        }
        const float inv = 1.0f / sum;
        for (size_t j = 0; j < n; j++) x[j] *= inv;
    }
}

#if VD_X86
static VD_AVX2 void vd_softmax_rows_avx2(float *x, size_t rows, size_t n, size_t ld) {
    if (n == 0) return;
    const size_t rem = n % 8, body = n - rem;
    const __m256i tail = vd_mask8(rem);
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
    for (size_t r = 0; r < rows; r++, x += ld) {
        __m256 mv = ninf;
        for (size_t j = 0; j < body; j += 8) mv = _mm256_max_ps(mv, _mm256_loadu_ps(x + j));
        if (rem) mv = _mm256_max_ps(mv, _mm256_blendv_ps(ninf, _mm256_maskload_ps(x + body, tail),
                                                         _mm256_castsi256_ps(tail)));
        const __m256 m = _mm256_set1_ps(vd_hmax8(mv));
        __m256 sv = _mm256_setzero_ps();
        for (size_t j = 0; j < body; j += 8) {
            __m256 e = vd_exp8(_mm256_sub_ps(_mm256_loadu_ps(x + j), m));
            _mm256_storeu_ps(x + j, e);
            sv = _mm256_add_ps(sv, e);
        }
        if (rem) {
            __m256 e = _mm256_and_ps(vd_exp8(_mm256_sub_ps(_mm256_maskload_ps(x + body, tail), m)),
                                     _mm256_castsi256_ps(tail));
            _mm256_maskstore_ps(x + body, tail, e);
            sv = _mm256_add_ps(sv, e);
        }
        const __m256 inv = _mm256_set1_ps(1.0f / vd_hsum8(sv));
        for (size_t j = 0; j < body; j += 8) _mm256_storeu_ps(x + j, _mm256_mul_ps(_mm256_loadu_ps(x + j), inv));
        if (rem) _mm256_maskstore_ps(x + body, tail, _mm256_mul_ps(_mm256_maskload_ps(x + body, tail), inv));
    }
}

static VD_AVX512 void vd_softmax_rows_avx512(float *x, size_t rows, size_t n, size_t ld) {
    if (n == 0) return;
    const size_t rem = n % 16, body = n - rem;
    const __mmask16 tail = vd_mask16(rem);
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    for (size_t r = 0; r < rows; r++, x += ld) {
        __m512 mv = ninf;
        for (size_t j = 0; j < body; j += 16) mv = _mm512_max_ps(mv, _mm512_loadu_ps(x + j));
        if (rem) mv = _mm512_max_ps(mv, _mm512_mask_loadu_ps(ninf, tail, x + body));
        const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(mv));
        __m512 sv = _mm512_setzero_ps();
        for (size_t j = 0; j < body; j += 16) {
            __m512 e = vd_exp16(_mm512_sub_ps(_mm512_loadu_ps(x + j), m));
            _mm512_storeu_ps(x + j, e);
            sv = _mm512_add_ps(sv, e);
        }
        if (rem) {
            __m512 e = vd_exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + body), m));
            _mm512_mask_storeu_ps(x + body, tail, e);
            sv = _mm512_mask_add_ps(sv, tail, sv, e);
        }
        const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sv));
        for (size_t j = 0; j < body; j += 16) _mm512_storeu_ps(x + j, _mm512_mul_ps(_mm512_loadu_ps(x + j), inv));
        if (rem) _mm512_mask_storeu_ps(x + body, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, x + body), inv));
    }
}
#endif

void vd_softmax_rows(float *x, size_t rows, size_t n, size_t ld) { VD_DISPATCH(vd_softmax_rows, (x, rows, n, ld)) }
