// The int8 kernels' thread pool: helpers created lazily and kept, blocked on a condition variable while idle
// (no spinning). A call posts a job, works on it itself, and waits only for the helpers that joined it, so
// concurrent calls from several threads each make progress and never wait on one another's tasks.
#include "gemm_int8_internal.h"
#include <pthread.h>
#include <stddef.h>

#define VD_INT8_MAX_HELPERS 63

typedef struct vd_int8_job {
    vd_int8_task_fn fn;
    void *ctx;
    int32_t n_tasks;
    int32_t next_task;        // atomic: the next task to claim
    int32_t seats;            // helpers that may still join (under the pool lock)
    int32_t active;           // helpers working on it now (under the pool lock)
    pthread_cond_t finished;  // signalled when active drops to 0
    struct vd_int8_job *next; // the pool's queue of jobs that want helpers
} vd_int8_job;

static pthread_mutex_t vd_int8_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t vd_int8_pool_work = PTHREAD_COND_INITIALIZER;
static vd_int8_job *vd_int8_queue;   // jobs with seats left
static int32_t vd_int8_n_helpers;  // helper threads started
static int32_t vd_int8_n_idle;   // helpers waiting for work

static void vd_int8_run_tasks(vd_int8_job *job) {
    int32_t t;
    while ((t = __atomic_fetch_add(&job->next_task, 1, __ATOMIC_RELAXED)) < job->n_tasks) job->fn(job->ctx, t);
}

static void *vd_int8_helper_main(void *unused) {
    (void)unused;
    pthread_mutex_lock(&vd_int8_pool_lock);
    for (;;) {
        while (!vd_int8_queue) {
            vd_int8_n_idle++;
            pthread_cond_wait(&vd_int8_pool_work, &vd_int8_pool_lock);
            vd_int8_n_idle--;
        }
        vd_int8_job *job = vd_int8_queue;
        if (--job->seats == 0) vd_int8_queue = job->next;
        job->active++;
        pthread_mutex_unlock(&vd_int8_pool_lock);
        vd_int8_run_tasks(job);
        pthread_mutex_lock(&vd_int8_pool_lock);
        if (--job->active == 0) pthread_cond_signal(&job->finished);
    }
    return NULL;
}

// Removes job from the queue if it is still there (under the pool lock).
static void vd_int8_unqueue(vd_int8_job *job) {
    for (vd_int8_job **p = &vd_int8_queue; *p; p = &(*p)->next)
        if (*p == job) {
            *p = job->next;
            return;
        }
}

void vd_int8_parallel_for(int32_t n_tasks, int32_t n_threads, vd_int8_task_fn fn, void *ctx) {
    if (n_tasks < 1) return;
    int32_t helpers = n_threads - 1 < n_tasks - 1 ? n_threads - 1 : n_tasks - 1;
    if (helpers > VD_INT8_MAX_HELPERS) helpers = VD_INT8_MAX_HELPERS;
    if (helpers < 1) {
        for (int32_t t = 0; t < n_tasks; t++) fn(ctx, t);
        return;
    }
    vd_int8_job job = {.fn = fn, .ctx = ctx, .n_tasks = n_tasks, .seats = helpers};
    pthread_cond_init(&job.finished, NULL);

    pthread_mutex_lock(&vd_int8_pool_lock);
    // Grow the pool to `helpers` threads. Helpers busy with another call's job join this one when they are
    // done; a failed start only means fewer helpers (the caller does the rest).
    while (vd_int8_n_helpers < helpers) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attr, vd_int8_helper_main, NULL);
        pthread_attr_destroy(&attr);
        if (failed) break;
        vd_int8_n_helpers++;
    }
    job.next = vd_int8_queue;
    vd_int8_queue = &job;
    if (vd_int8_n_idle > 0) pthread_cond_broadcast(&vd_int8_pool_work);
    pthread_mutex_unlock(&vd_int8_pool_lock);

    vd_int8_run_tasks(&job);

    pthread_mutex_lock(&vd_int8_pool_lock);
    if (job.seats > 0) vd_int8_unqueue(&job); // no late helper may join now
    while (job.active > 0) pthread_cond_wait(&job.finished, &vd_int8_pool_lock);
    pthread_mutex_unlock(&vd_int8_pool_lock);
    pthread_cond_destroy(&job.finished);
}
