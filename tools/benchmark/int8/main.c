// vd-bench-int8: throughput of vd_gemm_int8 (and vd_linear_int8) on random data, one line of JSON per shape.
// Usage: vd-bench-int8 [--threads T] [--reps R] [--path NAME] [--linear] M,K,N [M,K,N ...]
//        vd-bench-int8 --peak [--threads T]     the machine's int8 peak: vpdpbusd from registers on T threads
// Timings: R timed calls after one warm-up call; prints the median and best seconds and GOP/s (1 MAC = 2 ops),
// and cpu_gops: ops per (median CPU time of the process / T), the rate the threads reached while they ran
// (less sensitive to other processes on a shared machine, but it counts no idle or waiting time).
#define _POSIX_C_SOURCE 200809L   // clock_gettime under -std=c11
#include "vd_gemm_int8.h"
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
static int bench_shape(int32_t m, int32_t k, int32_t n, int threads, int reps, int linear) {
    int8_t *a = malloc((size_t)m * k), *w = malloc((size_t)n * k);
    float *x = linear ? malloc((size_t)m * k * sizeof(float)) : NULL;
    float *scales = malloc((size_t)n * sizeof(float)), *y = linear ? malloc((size_t)m * n * sizeof(float)) : NULL;
    int32_t *c = linear ? NULL : malloc((size_t)m * n * sizeof(int32_t));
    double *times = malloc((size_t)reps * sizeof(double)), *cpu = malloc((size_t)reps * sizeof(double));
    if (!a || !w || !scales || !times || !cpu || (linear ? !x || !y : !c)) return -1;
    for (size_t i = 0; i < (size_t)m * k; i++) a[i] = (int8_t)(rng_next() % 255 - 127);
    for (size_t i = 0; i < (size_t)n * k; i++) w[i] = (int8_t)(rng_next() % 255 - 127);
    if (x) for (size_t i = 0; i < (size_t)m * k; i++) x[i] = (float)(rng_next() % 2001) / 1000.0f - 1.0f;
    for (int32_t j = 0; j < n; j++) scales[j] = 0.01f;
    vd_int8_weights *p = vd_int8_weights_pack(w, scales, n, k);
    if (!p) return -1;
    for (int r = -1; r < reps; r++) {
        double t0 = now_s(), c0 = cpu_s();
        if (linear) vd_linear_int8(y, n, x, m, k, k, p, NULL, threads);
        else vd_gemm_int8(c, n, a, m, k, p, threads);
        if (r >= 0) times[r] = now_s() - t0, cpu[r] = cpu_s() - c0;
    }
    qsort(times, (size_t)reps, sizeof(double), compare_double);
    qsort(cpu, (size_t)reps, sizeof(double), compare_double);
    double ops = 2.0 * m * k * (double)n, median = times[reps / 2];
    printf("{\"m\": %d, \"k\": %d, \"n\": %d, \"threads\": %d, \"path\": \"%s\", \"op\": \"%s\", "
           "\"median_s\": %.6g, \"best_s\": %.6g, \"gops\": %.1f, \"best_gops\": %.1f, \"cpu_gops\": %.1f}\n",
           m, k, n, threads, vd_int8_path_name(vd_int8_get_path()), linear ? "linear" : "gemm", median, times[0],
           ops / median * 1e-9, ops / times[0] * 1e-9, ops / (cpu[reps / 2] / threads) * 1e-9);
    fflush(stdout);
    vd_int8_weights_free(p);
    free(a), free(w), free(x), free(scales), free(y), free(c), free(times), free(cpu);
    return 0;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PEAK_CHAINS 16   // independent accumulators: more than vpdpbusd's latency x throughput on any x86 core
#define PEAK_ITERS 20000000L

// A register-only vpdpbusd loop: PEAK_CHAINS x PEAK_ITERS instructions of 64 u8 x s8 MACs (128 ops) each.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void *peak_thread(void *out) {
    __m512i acc[PEAK_CHAINS];
    const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-5);
    for (int i = 0; i < PEAK_CHAINS; i++) acc[i] = _mm512_set1_epi32(i);
    for (long it = 0; it < PEAK_ITERS; it++) {
        for (int i = 0; i < PEAK_CHAINS; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
        __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]), "+v"(acc[5]),
                         "+v"(acc[6]), "+v"(acc[7]), "+v"(acc[8]), "+v"(acc[9]), "+v"(acc[10]), "+v"(acc[11]),
                         "+v"(acc[12]), "+v"(acc[13]), "+v"(acc[14]), "+v"(acc[15]));
    }
    int32_t sum = 0;
    for (int i = 0; i < PEAK_CHAINS; i++) sum += _mm512_reduce_add_epi32(acc[i]);
    *(int32_t *)out = sum;   // keeps the loop alive
    return NULL;
}

// Prints the best of 5 rounds of T threads running peak_thread at once, as GOP/s.
static int bench_peak(int threads) {
    if (!__builtin_cpu_supports("avx512vnni")) {
        fprintf(stderr, "vd-bench-int8: --peak needs AVX512-VNNI\n");
        return 1;
    }
    if (threads < 1 || threads > 256) return 2;
    pthread_t tid[256];
    int32_t sink[256];
    double best = 0.0;
    for (int round = 0; round < 5; round++) {
        double t0 = now_s();
        for (int t = 0; t < threads; t++) pthread_create(&tid[t], NULL, peak_thread, &sink[t]);
        for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
        double gops = 128.0 * PEAK_CHAINS * (double)PEAK_ITERS * threads / (now_s() - t0) * 1e-9;
        if (gops > best) best = gops;
    }
    printf("{\"peak\": \"vpdpbusd zmm\", \"threads\": %d, \"gops\": %.1f}\n", threads, best);
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
    int threads = 2, reps = 10, linear = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--linear")) linear = 1;
        else if (!strcmp(argv[i], "--peak")) return bench_peak(threads);
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
                fprintf(stderr, "usage: vd-bench-int8 [--threads T] [--reps R] [--path NAME] [--linear] M,K,N ...\n");
                return 2;
            }
            if (bench_shape(m, k, n, threads, reps, linear)) {
                fprintf(stderr, "vd-bench-int8: out of memory at %d,%d,%d\n", m, k, n);
                return 1;
            }
        }
    }
    return 0;
}
