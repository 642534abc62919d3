// vd-bench-int8: throughput of vd_gemm_int8 (and vd_linear_int8) on random data, one line of JSON per shape.
// Usage: vd-bench-int8 [--threads T] [--reps R] [--path NAME] [--linear] [--sgemm] M,K,N [M,K,N ...]
//        vd-bench-int8 --peak [--threads T] [--path NAME]
// Timings: R timed calls after one warm-up call; prints the median and best seconds and GOP/s (1 MAC = 2 ops),
// and cpu_gops: ops per (median CPU time of the process / T), the rate the threads reached while they ran
// (less sensitive to other processes on a shared machine, but it counts no idle or waiting time).
// Activations are random in the range vd_linear_int8 quantizes to on the path ([-64, 64] on AVX2 with
// VD_INT8_NARROW=1).
// --sgemm: OpenBLAS's cblas_sgemm of the same shape (fp32, C = A . W^T, T OpenBLAS threads) alternated call by
// call with ours, so that both see the same host; adds its median GFLOP/s and the ratio ours / sgemm (median,
// min and max over the reps' pairs). OPENBLAS_CORETYPE picks its kernels (Haswell: AVX2).
// --peak: what the path's inner loop can reach from registers on T threads, beside the fp32 FMA peak of the same
// vector width: vpdpbusd zmm (avx512-vnni), vpdpbusd ymm (avx-vnni), vpmaddubsw + vpmaddwd + vpaddd ymm (avx2).
#define _POSIX_C_SOURCE 200809L   // clock_gettime under -std=c11
#include "vd_gemm_int8.h"
#include <cblas.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu_s(void) {   // CPU time of all the process's threads
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng_next(void) {   // xorshift64*
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

// Times one shape; returns 0, or -1 when memory runs out.
static int bench_shape(int32_t m, int32_t k, int32_t n, int threads, int reps, int linear, int sgemm) {
    int8_t *a = malloc((size_t)m * k), *w = malloc((size_t)n * k);
    float *x = linear || sgemm ? malloc((size_t)m * k * sizeof(float)) : NULL;
    float *scales = malloc((size_t)n * sizeof(float)), *y = linear ? malloc((size_t)m * n * sizeof(float)) : NULL;
    float *wf = sgemm ? malloc((size_t)n * k * sizeof(float)) : NULL;
    float *yf = sgemm ? malloc((size_t)m * n * sizeof(float)) : NULL;
    int32_t *c = linear ? NULL : malloc((size_t)m * n * sizeof(int32_t));
    double *times = malloc((size_t)reps * sizeof(double)), *cpu = malloc((size_t)reps * sizeof(double));
    double *s_times = malloc((size_t)reps * sizeof(double)), *ratios = malloc((size_t)reps * sizeof(double));
    if (!a || !w || !scales || !times || !cpu || !s_times || !ratios || (linear ? !x || !y : !c) ||
        (sgemm && (!x || !wf || !yf)))
        return -1;
    // Activations in the range vd_linear_int8 quantizes them to on this path ([-64, 64] on narrow AVX2).
    int32_t amax = vd_int8_activation_max(vd_int8_get_path());
    for (size_t i = 0; i < (size_t)m * k; i++) a[i] = (int8_t)((int32_t)(rng_next() % (uint32_t)(2 * amax + 1)) - amax);
    for (size_t i = 0; i < (size_t)n * k; i++) w[i] = (int8_t)(rng_next() % 255 - 127);
    if (x) for (size_t i = 0; i < (size_t)m * k; i++) x[i] = (float)(rng_next() % 2001) / 1000.0f - 1.0f;
    if (wf) for (size_t i = 0; i < (size_t)n * k; i++) wf[i] = 0.01f * (float)w[i];
    for (int32_t j = 0; j < n; j++) scales[j] = 0.01f;
    vd_int8_weights *p = vd_int8_weights_pack(w, scales, n, k);
    if (!p) return -1;
    if (sgemm) openblas_set_num_threads(threads);
    for (int r = -1; r < reps; r++) {
        double t0 = now_s(), c0 = cpu_s();
        if (linear) vd_linear_int8(y, n, x, m, k, k, p, NULL, threads);
        else vd_gemm_int8(c, n, a, m, k, p, threads);
        double t1 = now_s(), c1 = cpu_s();
        if (sgemm) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x, k, wf, k, 0.0f, yf, n);
        if (r >= 0) {
            times[r] = t1 - t0, cpu[r] = c1 - c0;
            if (sgemm) s_times[r] = now_s() - t1, ratios[r] = s_times[r] / times[r];
        }
    }
    qsort(times, (size_t)reps, sizeof(double), compare_double);
    qsort(cpu, (size_t)reps, sizeof(double), compare_double);
    double ops = 2.0 * m * k * (double)n, median = times[reps / 2];
    printf("{\"m\": %d, \"k\": %d, \"n\": %d, \"threads\": %d, \"path\": \"%s\", \"op\": \"%s\", "
           "\"median_s\": %.6g, \"best_s\": %.6g, \"gops\": %.1f, \"best_gops\": %.1f, \"cpu_gops\": %.1f",
           m, k, n, threads, vd_int8_path_name(vd_int8_get_path()), linear ? "linear" : "gemm", median, times[0],
           ops / median * 1e-9, ops / times[0] * 1e-9, ops / (cpu[reps / 2] / threads) * 1e-9);
    if (sgemm) {
        qsort(s_times, (size_t)reps, sizeof(double), compare_double);
        qsort(ratios, (size_t)reps, sizeof(double), compare_double);
        printf(", \"sgemm_core\": \"%s\", \"sgemm_gflops\": %.1f, \"vs_sgemm\": %.3f, \"vs_sgemm_min\": %.3f, "
               "\"vs_sgemm_max\": %.3f", openblas_get_corename(), ops / s_times[reps / 2] * 1e-9, ratios[reps / 2],
               ratios[0], ratios[reps - 1]);
    }
    printf("}\n");
    fflush(stdout);
    vd_int8_weights_free(p);
    free(a), free(w), free(x), free(scales), free(y), free(c), free(times), free(cpu), free(wf), free(yf);
    free(s_times), free(ratios);
    return 0;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PEAK_CHAINS 12   // independent accumulators: more than latency x throughput of these on any x86 core
#define PEAK_ITERS 20000000L
#define PEAK_KEEP(acc)                                                                                          \
    __asm__ volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]), "+x"(acc[4]), "+x"(acc[5]),   \
                     "+x"(acc[6]), "+x"(acc[7]), "+x"(acc[8]), "+x"(acc[9]), "+x"(acc[10]), "+x"(acc[11]))

// Register-only loops of PEAK_CHAINS x PEAK_ITERS steps; each returns the ops (1 MAC = 2) one step does per chain
// and writes a value that keeps the loop alive.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static double peak_vnni512(int32_t *out) {
    __m512i acc[PEAK_CHAINS];
    const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-5);
    for (int i = 0; i < PEAK_CHAINS; i++) acc[i] = _mm512_set1_epi32(i);
    for (long it = 0; it < PEAK_ITERS; it++) {
        for (int i = 0; i < PEAK_CHAINS; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
        __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]), "+v"(acc[5]),
                         "+v"(acc[6]), "+v"(acc[7]), "+v"(acc[8]), "+v"(acc[9]), "+v"(acc[10]), "+v"(acc[11]));
    }
    int32_t sum = 0;
    for (int i = 0; i < PEAK_CHAINS; i++) sum += _mm512_reduce_add_epi32(acc[i]);
    *out = sum;
    return 128.0;
}
__attribute__((target("avx2,avxvnni"))) static double peak_avx_vnni(int32_t *out) {
    __m256i acc[PEAK_CHAINS];
    const __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(-5);
    for (int i = 0; i < PEAK_CHAINS; i++) acc[i] = _mm256_set1_epi32(i);
    for (long it = 0; it < PEAK_ITERS; it++) {
        for (int i = 0; i < PEAK_CHAINS; i++) acc[i] = _mm256_dpbusd_avx_epi32(acc[i], a, b);
        PEAK_KEEP(acc);
    }
    int32_t sum = 0;
    for (int i = 0; i < PEAK_CHAINS; i++) sum += _mm256_extract_epi32(acc[i], 0);
    *out = sum;
    return 64.0;
}
// The AVX2 kernel's step: u8 x s8 pairs into int16 (vpmaddubsw), pairs into int32 against ones, accumulated.
// Six chains with six activations that the asm statement "changes" every iteration, so that no product is
// hoisted out of the loop or shared between chains (14 of the 16 ymm registers).
__attribute__((target("avx2"))) static double peak_avx2(int32_t *out) {
    __m256i acc[6], a[6], w = _mm256_set1_epi8(100);
    const __m256i ones = _mm256_set1_epi16(1);
    for (int i = 0; i < 6; i++) acc[i] = _mm256_set1_epi32(i), a[i] = _mm256_set1_epi8((char)(i - 60));
    for (long it = 0; it < PEAK_ITERS * 2; it++) {
        for (int i = 0; i < 6; i++)
            acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(_mm256_maddubs_epi16(w, a[i]), ones));
        __asm__ volatile("" : "+x"(a[0]), "+x"(a[1]), "+x"(a[2]), "+x"(a[3]), "+x"(a[4]), "+x"(a[5]), "+x"(w),
                         "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]), "+x"(acc[4]), "+x"(acc[5]));
    }
    int32_t sum = 0;
    for (int i = 0; i < 6; i++) sum += _mm256_extract_epi32(acc[i], 0);
    *out = sum;
    return 64.0 * 6.0 * 2.0 / PEAK_CHAINS;   // 6 chains x 2 PEAK_ITERS steps, counted as PEAK_CHAINS x PEAK_ITERS
}
__attribute__((target("avx2,fma"))) static double peak_fma256(int32_t *out) {
    __m256 acc[PEAK_CHAINS];
    const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);
    for (int i = 0; i < PEAK_CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    for (long it = 0; it < PEAK_ITERS; it++) {
        for (int i = 0; i < PEAK_CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
        PEAK_KEEP(acc);
    }
    float sum = 0;
    for (int i = 0; i < PEAK_CHAINS; i++) sum += _mm256_cvtss_f32(acc[i]);
    *out = (int32_t)sum;
    return 16.0;
}
__attribute__((target("avx512f"))) static double peak_fma512(int32_t *out) {
    __m512 acc[PEAK_CHAINS];
    const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(0.001f);
    for (int i = 0; i < PEAK_CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    for (long it = 0; it < PEAK_ITERS; it++) {
        for (int i = 0; i < PEAK_CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
        __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]), "+v"(acc[5]),
                         "+v"(acc[6]), "+v"(acc[7]), "+v"(acc[8]), "+v"(acc[9]), "+v"(acc[10]), "+v"(acc[11]));
    }
    float sum = 0;
    for (int i = 0; i < PEAK_CHAINS; i++) sum += _mm512_reduce_add_ps(acc[i]);
    *out = (int32_t)sum;
    return 32.0;
}

typedef struct {
    double (*loop)(int32_t *);
    int32_t sink;
    double ops;
} peak_job;

static void *peak_thread(void *arg) {
    peak_job *job = arg;
    job->ops = job->loop(&job->sink);
    return NULL;
}

// The best of 5 rounds of T threads running `loop` at once, in GOP/s.
static double peak_gops(double (*loop)(int32_t *), int threads) {
    pthread_t tid[256];
    peak_job jobs[256];
    double best = 0.0;
    for (int round = 0; round < 5; round++) {
        double t0 = now_s();
        for (int t = 0; t < threads; t++) {
            jobs[t] = (peak_job){.loop = loop};
            pthread_create(&tid[t], NULL, peak_thread, &jobs[t]);
        }
        for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
        double gops = jobs[0].ops * PEAK_CHAINS * (double)PEAK_ITERS * threads / (now_s() - t0) * 1e-9;
        if (gops > best) best = gops;
    }
    return best;
}

// The int8 peak of the path's inner loop and the fp32 FMA peak of the same vector width, one JSON line.
static int bench_peak(int threads) {
    if (threads < 1 || threads > 256) return 2;
    int path = vd_int8_get_path();
    double (*int8_loop)(int32_t *) = NULL, (*fma_loop)(int32_t *) = peak_fma256;
    const char *what = NULL;
    switch (path) {
    case VD_INT8_AVX512_VNNI: int8_loop = peak_vnni512, fma_loop = peak_fma512, what = "vpdpbusd zmm"; break;
    case VD_INT8_AVX_VNNI: int8_loop = peak_avx_vnni, what = "vpdpbusd ymm (VEX)"; break;
    case VD_INT8_AVX2: int8_loop = peak_avx2, what = "vpmaddubsw + vpmaddwd + vpaddd ymm"; break;
    default:
        fprintf(stderr, "vd-bench-int8: --peak measures a SIMD path; this one is %s\n", vd_int8_path_name(path));
        return 1;
    }
    double int8 = peak_gops(int8_loop, threads), fp32 = peak_gops(fma_loop, threads);
    printf("{\"peak\": \"%s\", \"path\": \"%s\", \"threads\": %d, \"gops\": %.1f, \"fma\": \"%s\", "
           "\"fp32_gflops\": %.1f, \"int8_vs_fp32\": %.2f}\n", what, vd_int8_path_name(path), threads, int8,
           fma_loop == peak_fma512 ? "vfmadd zmm" : "vfmadd ymm", fp32, int8 / fp32);
    return 0;
}
#else
static int bench_peak(int threads) {
    (void)threads;
    fprintf(stderr, "vd-bench-int8: --peak is x86-64 only\n");
    return 1;
}
#endif

int main(int argc, char **argv) {
    int threads = 2, reps = 10, linear = 0, sgemm = 0, peak = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--linear")) linear = 1;
        else if (!strcmp(argv[i], "--sgemm")) sgemm = 1;
        else if (!strcmp(argv[i], "--peak")) peak = 1;
        else if (!strcmp(argv[i], "--path") && i + 1 < argc) {
            const char *name = argv[++i];
            int found = 0;
            for (int path = VD_INT8_SCALAR; path <= VD_INT8_AVX512_VNNI; path++)
                if (!strcmp(name, vd_int8_path_name(path))) found = vd_int8_set_path(path) == 0;
            if (!found) {
                fprintf(stderr, "vd-bench-int8: path %s is unknown or not supported here\n", name);
                return 2;
            }
        } else {
            int m, k, n;
            if (sscanf(argv[i], "%d,%d,%d", &m, &k, &n) != 3 || m < 1 || k < 1 || n < 1 || reps < 1) {
                fprintf(stderr, "usage: vd-bench-int8 [--threads T] [--reps R] [--path NAME] [--linear] [--sgemm] M,K,N ...\n");
                return 2;
            }
            if (bench_shape(m, k, n, threads, reps, linear, sgemm)) {
                fprintf(stderr, "vd-bench-int8: out of memory at %d,%d,%d\n", m, k, n);
                return 1;
            }
        }
    }
    return peak ? bench_peak(threads) : 0;
}
