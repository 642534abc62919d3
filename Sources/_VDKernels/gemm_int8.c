// vd_gemm_int8 and vd_linear_int8: the work split over threads, around the current path's tile kernel.
#include "gemm_int8_internal.h"
#include <stdlib.h>

#ifndef VD_INT8_TASK_MACS
#define VD_INT8_TASK_MACS (256LL << 20)   // ~0.4 ms of one core's VNNI peak
#endif

// The SIMD path `path` runs on, or NULL for the scalar tile.
static const vd_int8_simd_path *vd_int8_simd_for(int path) {
    switch (path) {
    case VD_INT8_AVX2: return &vd_int8_path_avx2;
    case VD_INT8_AVX_VNNI: return &vd_int8_path_avx_vnni;
    case VD_INT8_AVX512_VNNI: return &vd_int8_path_avx512_vnni;
    default: return NULL;
    }
}

/// One call's split: tasks are tiles of rows_per_task rows x blocks_per_task channel blocks.
typedef struct {
    vd_int8_out out;
    const int8_t *a;
    const vd_int8_weights *w;
    const vd_int8_simd_path *simd;   // NULL: the scalar tile
    int32_t m, rows_per_task, blocks_per_task, n_row_tasks, n_tasks;
    // vd_linear_int8 split over rows only: each task quantizes its rows of x [m, k] (row stride ldx) itself, a
    // block of rows at a time, into its own scratch (a and out.a_scales unused). NULL otherwise.
    const float *x;
    int64_t ldx;
    int path;                      // the caller's path, for the helper threads too
    int32_t qmax;                  // the activations' range, vd_int8_activation_max(path)
    int failed;                    // atomic: a task could not allocate its scratch
} vd_int8_gemm_job;

static void vd_int8_tile(const vd_int8_gemm_job *job, const vd_int8_out *out, const int8_t *a, int32_t i0, int32_t i1,
                         int32_t b0, int32_t b1) {
    if (job->simd) vd_int8_tile_simd(job->simd, out, a, i0, i1, job->w, b0, b1);
    else vd_int8_tile_scalar(out, a, i0, i1, job->w, b0, b1);
}

// Rows [i0, i1) of vd_linear_int8, quantized QUANT_BYTES of int8 at a time (a block that stays in L2 while it
// is used, instead of an [m, k] copy of the whole input).
#define QUANT_BYTES (256 * 1024)
static void vd_int8_linear_rows(vd_int8_gemm_job *job, int32_t i0, int32_t i1, int32_t b0, int32_t b1) {
    const int32_t k = job->w->k;
    int32_t rows = (int32_t)(QUANT_BYTES / (size_t)k) / 6 * 6;
    if (rows < 6) rows = 6;
    if (rows > i1 - i0) rows = i1 - i0;
    size_t q_bytes = ((size_t)rows * (size_t)k + 63) / 64 * 64;   // q [rows, k], then q_scales [rows]
    int8_t *q = malloc(q_bytes + (size_t)rows * sizeof(float));
    if (!q) {
        __atomic_store_n(&job->failed, 1, __ATOMIC_RELAXED);
        return;
    }
    float *q_scales = (float *)(q + q_bytes);
    for (int32_t i = i0; i < i1; i += rows) {
        int32_t n_rows = i1 - i < rows ? i1 - i : rows;
        vd_int8_quantize_range(q, q_scales, job->x + (size_t)i * (size_t)job->ldx, 0, n_rows, k, job->ldx, job->qmax,
                               job->path);
        vd_int8_out out = job->out;   // the same rows of y, as rows [0, n_rows) of the block
        out.y += (size_t)i * (size_t)out.ldy;
        out.a_scales = q_scales;
        vd_int8_tile(job, &out, q, 0, n_rows, b0, b1);
    }
    free(q);
}

static void vd_int8_gemm_task(void *ctx, int32_t task) {
    vd_int8_gemm_job *job = ctx;
    int32_t i0 = (task % job->n_row_tasks) * job->rows_per_task;
    int32_t b0 = (task / job->n_row_tasks) * job->blocks_per_task;
    int32_t i1 = i0 + job->rows_per_task < job->m ? i0 + job->rows_per_task : job->m;
    int32_t b1 = b0 + job->blocks_per_task < job->w->n_blocks ? b0 + job->blocks_per_task : job->w->n_blocks;
    if (job->x) vd_int8_linear_rows(job, i0, i1, b0, b1);
    else vd_int8_tile(job, &job->out, job->a, i0, i1, b0, b1);
}

// Many rows: tasks of whole rows against all of W, up to 8 per thread (at least 48 rows, each streams all of
// W), handed out one at a time, so that a helper that wakes late or a core taken by another process leaves
// a tail of at most one small task. Few rows: the channel blocks are split instead, 2 tasks per thread.
static vd_int8_gemm_job vd_int8_split(const vd_int8_out *out, const int8_t *a, int32_t m, const vd_int8_weights *w,
                                      int32_t n_threads) {
    const int path = vd_int8_get_path();
    vd_int8_gemm_job job = {.out = *out, .a = a, .w = w, .simd = vd_int8_simd_for(path), .m = m, .path = path,
                            .qmax = vd_int8_activation_max(path)};
    if (n_threads <= 1) {
        job.rows_per_task = m;
        job.blocks_per_task = w->n_blocks;
    } else if (m >= 96 * n_threads) {
        // Up to 8 tasks per thread, fewer when that would make a task smaller than VD_INT8_TASK_MACS: handing a
        // task to a helper costs a wake-up, which small products (768 x 768 channels) cannot amortize.
        int64_t per_thread = (int64_t)m * w->k * w->n / ((int64_t)n_threads * VD_INT8_TASK_MACS);
        per_thread = per_thread < 1 ? 1 : (per_thread > 8 ? 8 : per_thread);
        int32_t tasks = (int32_t)per_thread * n_threads;
        int32_t per = (m + tasks - 1) / tasks;
        per = (per + 5) / 6 * 6;   // whole register blocks of 6 rows
        job.rows_per_task = per < 48 ? 48 : per;
        job.blocks_per_task = w->n_blocks;
    } else {
        job.rows_per_task = m;
        // Whole groups, so that no register block straddles two (gemm_int8_internal.h).
        int32_t per = (w->n_blocks + 2 * n_threads - 1) / (2 * n_threads);
        job.blocks_per_task = (per + VD_INT8_GROUP - 1) / VD_INT8_GROUP * VD_INT8_GROUP;
    }
    job.n_row_tasks = (m + job.rows_per_task - 1) / job.rows_per_task;
    job.n_tasks = job.n_row_tasks * ((w->n_blocks + job.blocks_per_task - 1) / job.blocks_per_task);
    return job;
}

void vd_gemm_int8(int32_t *c, int64_t ldc, const int8_t *a, int32_t m, int32_t k, const vd_int8_weights *w,
                  int32_t n_threads) {
    if (!c || !a || !w || m < 1 || k != w->k) return;
    vd_int8_out out = {.c = c, .ldc = ldc};
    vd_int8_gemm_job job = vd_int8_split(&out, a, m, w, n_threads);
    vd_int8_parallel_for(job.n_tasks, n_threads, vd_int8_gemm_task, &job);
}

// vd_linear_int8 and vd_linear_int8_acc.
static int vd_int8_linear(float *y, int64_t ldy, const float *x, int32_t m, int32_t k, int64_t ldx,
                          const vd_int8_weights *w, const float *bias, int32_t n_threads, int accumulate) {
    if (!y || !x || !w || m < 1 || k != w->k) return -1;
    vd_int8_out out = {.y = y, .ldy = ldy, .accumulate = accumulate, .bias = bias};
    vd_int8_gemm_job job = vd_int8_split(&out, NULL, m, w, n_threads);
    if (job.blocks_per_task == w->n_blocks) {   // tasks own whole rows: each quantizes its own
        job.x = x;
        job.ldx = ldx;
        vd_int8_parallel_for(job.n_tasks, n_threads, vd_int8_gemm_task, &job);
        return job.failed ? -1 : 0;
    }
    // Few rows, shared by the tasks: quantized here first, into q [m, k] and a_scales [m].
    size_t q_bytes = ((size_t)m * (size_t)k + 63) / 64 * 64;
    int8_t *q = malloc(q_bytes + (size_t)m * sizeof(float));
    if (!q) return -1;
    float *a_scales = (float *)(q + q_bytes);
    vd_int8_quantize_range(q, a_scales, x, 0, m, k, ldx, job.qmax, job.path);
    job.a = q;
    job.out.a_scales = a_scales;
    vd_int8_parallel_for(job.n_tasks, n_threads, vd_int8_gemm_task, &job);
    free(q);
    return 0;
}

int vd_linear_int8(float *y, int64_t ldy, const float *x, int32_t m, int32_t k, int64_t ldx,
                   const vd_int8_weights *w, const float *bias, int32_t n_threads) {
    return vd_int8_linear(y, ldy, x, m, k, ldx, w, bias, n_threads, 0);
}

int vd_linear_int8_acc(float *y, int64_t ldy, const float *x, int32_t m, int32_t k, int64_t ldx,
                       const vd_int8_weights *w, const float *bias, int32_t n_threads) {
    return vd_int8_linear(y, ldy, x, m, k, ldx, w, bias, n_threads, 1);
}
