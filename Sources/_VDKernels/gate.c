// The LA-Gate's per-head cosine and scale (SPEC 3, paper eq. 2-3 with one cosine per head).
#include "vd_internal.h"
#include <math.h>

#define VD_GATE_EPS 1e-6f   // SPEC 3's clamp of each norm: a constant, not a config value

// u, q, val: [rows, heads*d], key: [heads*d], g: [rows, heads]
void vd_gate_cosine_scale_scalar(float *u, float *g, const float *q, const float *key, const float *val,
                                 size_t rows, size_t heads, size_t d) {
    const size_t width = heads * d;
    for (size_t i = 0; i < rows; i++) {
        for (size_t h = 0; h < heads; h++) {
            const float *qh = q + i * width + h * d, *kh = key + h * d, *vh = val + i * width + h * d;
            float dot = 0, qq = 0, kk = 0;
            for (size_t j = 0; j < d; j++) {
                dot += qh[j] * kh[j];
                qq += qh[j] * qh[j];
                kk += kh[j] * kh[j];
            }
            const float gi = dot / (fmaxf(sqrtf(qq), VD_GATE_EPS) * fmaxf(sqrtf(kk), VD_GATE_EPS));
            g[i * heads + h] = gi;
            float *uh = u + i * width + h * d;
            for (size_t j = 0; j < d; j++) uh[j] = gi * vh[j];
        }
    }
}

#if VD_X86
static VD_AVX2 void vd_gate_cosine_scale_avx2(float *u, float *g, const float *q, const float *key,
                                              const float *val, size_t rows, size_t heads, size_t d) {
    const size_t width = heads * d, rem = d % 8, body = d - rem;
    const __m256i tail = vd_mask8(rem);
    for (size_t i = 0; i < rows; i++) {
        for (size_t h = 0; h < heads; h++) {
            const float *qh = q + i * width + h * d, *kh = key + h * d, *vh = val + i * width + h * d;
            __m256 dot = _mm256_setzero_ps(), qq = _mm256_setzero_ps(), kk = _mm256_setzero_ps();
            for (size_t j = 0; j < body; j += 8) {
                __m256 a = _mm256_loadu_ps(qh + j), b = _mm256_loadu_ps(kh + j);
                dot = _mm256_fmadd_ps(a, b, dot);
                qq = _mm256_fmadd_ps(a, a, qq);
                kk = _mm256_fmadd_ps(b, b, kk);
            }
            if (rem) {
                __m256 a = _mm256_maskload_ps(qh + body, tail), b = _mm256_maskload_ps(kh + body, tail);
                dot = _mm256_fmadd_ps(a, b, dot);
                qq = _mm256_fmadd_ps(a, a, qq);
                kk = _mm256_fmadd_ps(b, b, kk);
            }
            const float gi = vd_hsum8(dot) / (fmaxf(sqrtf(vd_hsum8(qq)), VD_GATE_EPS) *
                                              fmaxf(sqrtf(vd_hsum8(kk)), VD_GATE_EPS));
            g[i * heads + h] = gi;
            float *uh = u + i * width + h * d;
            const __m256 s = _mm256_set1_ps(gi);
            for (size_t j = 0; j < body; j += 8) _mm256_storeu_ps(uh + j, _mm256_mul_ps(s, _mm256_loadu_ps(vh + j)));
            if (rem) _mm256_maskstore_ps(uh + body, tail, _mm256_mul_ps(s, _mm256_maskload_ps(vh + body, tail)));
        }
    }
}

static VD_AVX512 void vd_gate_cosine_scale_avx512(float *u, float *g, const float *q, const float *key,
                                                  const float *val, size_t rows, size_t heads, size_t d) {
    const size_t width = heads * d, rem = d % 16, body = d - rem;
    const __mmask16 tail = vd_mask16(rem);
    for (size_t i = 0; i < rows; i++) {
        for (size_t h = 0; h < heads; h++) {
            const float *qh = q + i * width + h * d, *kh = key + h * d, *vh = val + i * width + h * d;
            __m512 dot = _mm512_setzero_ps(), qq = _mm512_setzero_ps(), kk = _mm512_setzero_ps();
            for (size_t j = 0; j < body; j += 16) {
                __m512 a = _mm512_loadu_ps(qh + j), b = _mm512_loadu_ps(kh + j);
                dot = _mm512_fmadd_ps(a, b, dot);
                qq = _mm512_fmadd_ps(a, a, qq);
                kk = _mm512_fmadd_ps(b, b, kk);
            }
            if (rem) {
                __m512 a = _mm512_maskz_loadu_ps(tail, qh + body), b = _mm512_maskz_loadu_ps(tail, kh + body);
                dot = _mm512_fmadd_ps(a, b, dot);
                qq = _mm512_fmadd_ps(a, a, qq);
                kk = _mm512_fmadd_ps(b, b, kk);
            }
            const float gi = _mm512_reduce_add_ps(dot) / (fmaxf(sqrtf(_mm512_reduce_add_ps(qq)), VD_GATE_EPS) *
                                                          fmaxf(sqrtf(_mm512_reduce_add_ps(kk)), VD_GATE_EPS));
            g[i * heads + h] = gi;
            float *uh = u + i * width + h * d;
            const __m512 s = _mm512_set1_ps(gi);
            for (size_t j = 0; j < body; j += 16) _mm512_storeu_ps(uh + j, _mm512_mul_ps(s, _mm512_loadu_ps(vh + j)));
            if (rem) _mm512_mask_storeu_ps(uh + body, tail, _mm512_mul_ps(s, _mm512_maskz_loadu_ps(tail, vh + body)));
        }
    }
}
#endif

void vd_gate_cosine_scale(float *u, float *g, const float *q, const float *key, const float *val, size_t rows,
                          size_t heads, size_t d) {
    VD_DISPATCH(vd_gate_cosine_scale, (u, g, q, key, val, rows, heads, d))
}
