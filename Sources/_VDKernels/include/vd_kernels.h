// _VDKernels: VideoDistill's fp32 leaf kernels in C.
//
// Every kernel exists as a plain scalar twin (`*_scalar`, the reference the SIMD paths are tested
// against) and as AVX2+FMA and AVX-512 variants chosen at run time from the CPU (`vd_get_isa`).
// Sizes are element counts; a matrix [rows, n] is row-major with row stride n unless a `ld` says otherwise.
// All math is fp32, as SPEC.md fixes it. The functions touch only the memory they are given and keep no
// state, so any number of threads may call them at once (`vd_set_isa` is the one global switch).
#ifndef VD_KERNELS_H
#define VD_KERNELS_H

#include <stddef.h>
#include "vd_resize.h"

#ifdef __cplusplus
extern "C" {
#endif

// MARK: run-time dispatch

/// Instruction-set paths, slowest to fastest.
enum { VD_ISA_SCALAR = 0, VD_ISA_AVX2 = 1, VD_ISA_AVX512 = 2 };

/// The fastest path this CPU supports (AVX-512 needs avx512f; AVX2 needs avx2 and fma), at most the one the
/// environment variable VD_ISA names, read once: "scalar", "avx2" (also: int8 without VNNI) or "avx512". It lets
/// one machine run as an older CPU would, for benchmarks and tests; other values are ignored.
int vd_best_isa(void);
/// The cap VD_ISA sets (a VD_ISA_* value), or -1 when it is unset or not one of the three names.
int vd_isa_cap(void);
/// The path the dispatching kernels use now (the best one unless `vd_set_isa` forced another).
int vd_get_isa(void);
/// Forces a path (for tests and benchmarks); returns 0, or -1 (and changes nothing) when the CPU lacks it.
/// Process-global: set it only while no other thread runs kernels whose path matters to you.
int vd_set_isa(int isa);
/// "scalar", "avx2", "avx512", or "unknown".
const char *vd_isa_name(int isa);

// MARK: normalisation and activations

/// LayerNorm over each row: y[r,:] = (x[r,:] - mean) / sqrt(var + eps) * w + b, with the biased variance.
/// x, y: [rows, n] (y may be x); w, b: [n].
void vd_layernorm_rows(float *y, const float *x, const float *w, const float *b, size_t rows, size_t n, float eps);
void vd_layernorm_rows_scalar(float *y, const float *x, const float *w, const float *b, size_t rows, size_t n,
                              float eps);

/// QuickGELU in place: x = x * sigmoid(1.702 x).  x: [n]
void vd_quickgelu(float *x, size_t n);
void vd_quickgelu_scalar(float *x, size_t n);

/// Exact GELU in place: x = 0.5 x (1 + erf(x / sqrt 2)).  x: [n]
/// The scalar twin uses libm's erff; the SIMD paths a fitted erf within ~2e-7 of it (tools/fit_erf.py).
void vd_gelu_erf(float *x, size_t n);
void vd_gelu_erf_scalar(float *x, size_t n);

/// Softmax of each row in place, max-subtracted: x[r,j] = exp(x[r,j] - max_r) / sum_j exp(x[r,j] - max_r).
/// x: [rows, n] with row stride ld >= n.
void vd_softmax_rows(float *x, size_t rows, size_t n, size_t ld);
void vd_softmax_rows_scalar(float *x, size_t rows, size_t n, size_t ld);

// MARK: elementwise and vector helpers

/// y[r,:] += b for every row.  y: [rows, n]; b: [n]
void vd_add_bias_rows(float *y, const float *b, size_t rows, size_t n);
void vd_add_bias_rows_scalar(float *y, const float *b, size_t rows, size_t n);

/// y += x.  y, x: [n]
void vd_add(float *y, const float *x, size_t n);
void vd_add_scalar(float *y, const float *x, size_t n);

/// Returns sum_i a[i] * b[i].  a, b: [n]
float vd_dot(const float *a, const float *b, size_t n);
float vd_dot_scalar(const float *a, const float *b, size_t n);

/// y += alpha * x.  y, x: [n]
void vd_axpy(float *y, float alpha, const float *x, size_t n);
void vd_axpy_scalar(float *y, float alpha, const float *x, size_t n);

// MARK: LA-Gate (SPEC 3)

/// The LA-Gate's per-head cosine and scale, for rows tokens and H = heads heads of width d:
///   g[i,h] = dot(q[i,h], key[h]) / (max(|q[i,h]|, 1e-6) * max(|key[h]|, 1e-6))
///   u[i,h] = g[i,h] * val[i,h]
/// q, val, u: [rows, heads * d] (u may be val); key: [heads * d]; g: [rows, heads]. Head h holds the
/// components h*d ..< (h+1)*d. The 1e-6 clamp is SPEC 3's constant.
void vd_gate_cosine_scale(float *u, float *g, const float *q, const float *key, const float *val, size_t rows,
                          size_t heads, size_t d);
void vd_gate_cosine_scale_scalar(float *u, float *g, const float *q, const float *key, const float *val,
                                 size_t rows, size_t heads, size_t d);

#ifdef __cplusplus
}
#endif

#endif
