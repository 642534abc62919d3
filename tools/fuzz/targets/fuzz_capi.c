/*
 * Fuzz target: the C entry points of include/videodistill.h with a valid model (VD_FUZZ_MODEL, loaded once) and
 * every size, stride, count, thread number, top-k, selection, rank, text and NULL the input chooses. The
 * harness keeps the caller's side of the contract (buffers hold exactly what the arguments say they hold, so
 * AddressSanitizer sees any read past them) and checks the library's: a bad argument gives an error status and
 * a message, never a crash; a success gives results of the documented sizes and ranges.
 *
 * Input: a header of fixed fields (see `struct plan` in read_plan), then the question text. Sizes come in two
 * flavours chosen by a flag bit: "small" (valid-looking, so encoding really runs) and "raw" (any 32/64-bit value).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "videodistill.h"

static vd_model *model;
static vd_model_info info;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "FUZZ INVARIANT BROKEN (%s:%d): ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                      \
            fprintf(stderr, "\n");                                             \
            abort();                                                           \
        }                                                                      \
    } while (0)

static void free_model(void) { vd_model_free(model); model = NULL; }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    const char *path = getenv("VD_FUZZ_MODEL");
    if (path == NULL || vd_model_load(path, NULL, &model) != VD_OK) {
        fprintf(stderr, "set VD_FUZZ_MODEL to a model file (tools/fuzz/run.sh does): %s\n", vd_last_error());
        abort();
    }
    CHECK(vd_model_get_info(model, &info) == VD_OK, "info");
    atexit(free_model); /* so LeakSanitizer's exit check sees nothing of ours left */
    return 0;
}

typedef struct { const uint8_t *p; size_t n, at; } reader;

static uint8_t u8(reader *r) { return r->at < r->n ? r->p[r->at++] : 0; }
static uint32_t u32(reader *r) { uint32_t v = 0; for (int i = 0; i < 4; i++) v |= (uint32_t)u8(r) << (8 * i); return v; }
static uint64_t u64(reader *r) { uint64_t lo = u32(r); return lo | (uint64_t)u32(r) << 32; }

/* A size: small (0...limit-1, plus -1 now and then) or any int32. */
static int32_t size32(reader *r, int small, int32_t limit) {
    uint32_t v = u32(r);
    if (!small) return (int32_t)v;
    return (v & 0x80000000u) && (v & 1) ? -1 : (int32_t)(v % (uint32_t)limit);
}

/* A thread count: 1, or any int32 outside 2...1024. Valid counts above 1 are left to the concurrency tests:
 * each would start OpenBLAS worker threads that keep spinning after the call and slow the fuzzer down. */
static int32_t threads(reader *r, int raw) {
    int32_t v = raw ? (int32_t)u32(r) : (int32_t)u8(r);
    return raw && (v < 2 || v > 1024) ? v : 1;
}

/* Counts abort polls; asks to stop at poll number `stop_at` (0: never). */
typedef struct { int polls, stop_at; } abort_state;
static bool abort_cb(void *user) { abort_state *s = user; return s->stop_at > 0 && ++s->polls >= s->stop_at; }
typedef struct { int calls; int32_t last_done, total; } progress_state;
static void progress_cb(int32_t done, int32_t total, void *user) {
    progress_state *s = user;
    CHECK(done >= 1 && done <= total && total >= 1, "progress %d of %d", done, total);
    s->calls++; s->last_done = done; s->total = total;
}

static void check_failure(vd_status st, const char *what) {
    CHECK(st != VD_OK && st <= VD_ERR_INTERNAL, "%s status %d", what, st);
    CHECK(st != VD_ERR_INTERNAL, "%s: internal error: %s", what, vd_last_error());
    CHECK(vd_last_error()[0] != '\0', "%s failed without a message", what);
}

/* Every accessor of a result, with ranks from the input; sizes checked against the model. */
static void check_result(const vd_result *res, int32_t top_k, reader *r, int32_t n_frames) {
    int32_t A = info.num_answers, N = info.num_frames, K = info.num_selected, H = info.model_heads;
    int32_t want_k = top_k < A ? top_k : A;
    CHECK(vd_result_top_k(res) == want_k, "top_k %d, want %d", vd_result_top_k(res), want_k);
    for (int i = 0; i < 4; i++) {
        int32_t rank = (int32_t)u32(r);
        if (i == 0) rank = rank & 7;
        int32_t idx = vd_result_answer_index(res, rank);
        const char *text = vd_result_answer_text(res, rank);
        float p = vd_result_answer_probability(res, rank);
        if (rank >= 0 && rank < want_k) {
            CHECK(idx >= 0 && idx < A && text != NULL && strcmp(text, vd_model_answer(model, idx)) == 0, "rank %d", rank);
            CHECK(p >= 0 && p <= 1, "probability %f", p);
        } else {
            CHECK(idx == -1 && text == NULL && isnan(p), "rank %d out of range answered", rank);
        }
    }
    int32_t n = -1, k = -1, l = -1;
    const float *logits = vd_result_qa_logits(res, &n);
    CHECK(logits != NULL && n == A, "qa logits %d", n);
    const int32_t *frames = vd_result_selected_frames(res, &n);
    CHECK(frames != NULL && n == K, "selected frames %d", n);
    for (int i = 0; i < K; i++) CHECK(frames[i] >= 0 && frames[i] < n_frames, "frame %d", frames[i]);
    const int32_t *samples = vd_result_selected_samples(res, &n);
    CHECK(samples != NULL && n == K, "selected samples %d", n);
    for (int i = 0; i < K; i++) CHECK(samples[i] >= 0 && samples[i] < N, "sample %d", samples[i]);
    const float *sel = vd_result_selection_probabilities(res, &n, &k);
    CHECK(sel != NULL && n == N && k == K, "selection %d x %d", n, k);
    CHECK(vd_result_selection_logits(res, &n, &k) != NULL && n == N && k == K, "selection logits");
    CHECK(vd_result_v_star(res, &n) != NULL && n == info.model_dim, "v_star %d", n);
    CHECK(vd_result_fs_gates(res, &l, &n, &k) != NULL && l == info.fs_layers && n == N && k == H, "fs gates");
    CHECK(vd_result_vr_gates(res, &l, &n, &k) != NULL && l == info.vr_layers && n == 1 + K * info.patches_per_frame
          && k == H, "vr gates");
    /* Accessors tolerate NULL out-pointers. */
    (void)vd_result_vr_gates(res, NULL, NULL, NULL);
    (void)vd_result_qa_logits(res, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = { data, size, 0 };
    uint8_t flags = u8(&r), flags2 = u8(&r);
    int small = !(flags & 1);

    /* ---- encode: frames (or pixels) ---- */
    int32_t n_frames = size32(&r, small, 40);
    int32_t height = size32(&r, small, 80);
    int32_t width = size32(&r, small, 80);
    uint64_t stride_raw = u64(&r);
    size_t row_stride = small ? (size_t)(width > 0 ? 3 * (int64_t)width : 0) + (size_t)(stride_raw % 8)
                                  - ((flags & 2) ? 1 : 0)
                              : (size_t)stride_raw;
    vd_encode_params ep = vd_encode_default_params();
    ep.n_threads = threads(&r, flags & 4);
    abort_state as = { 0, (flags & 8) ? 1 + u8(&r) % 8 : 0 };
    progress_state ps = { 0, 0, 0 };
    if (flags & 8) { ep.abort = abort_cb; ep.abort_user_data = &as; }
    if (flags & 16) { ep.progress = progress_cb; ep.progress_user_data = &ps; }
    const vd_encode_params *epp = (flags2 & 1) ? NULL : &ep;
    uint8_t pattern = u8(&r);

    vd_video *video = NULL;
    vd_status st;
    int use_pixels = (flags2 & 2) != 0;
    if (use_pixels) {
        /* Exactly N frames of [3, S, S] floats, or a wrong count (then a 1-float buffer: the count is refused
         * before any read). */
        int32_t count = (flags2 & 4) ? n_frames : info.num_frames;
        size_t floats = (size_t)info.num_frames * 3 * info.image_size * info.image_size;
        float *pixels = malloc((count == info.num_frames ? floats : 1) * sizeof(float));
        for (size_t i = 0; i < (count == info.num_frames ? floats : 1); i++) pixels[i] = (float)((pattern + i) % 251) / 250.0f;
        if ((flags2 & 8) && count == info.num_frames) pixels[(size_t)pattern * 7919 % floats] = NAN;
        st = vd_encode_pixels(model, pixels, count, epp, &video);
        if (count != info.num_frames) check_failure(st, "encode_pixels count");
        else if (flags2 & 8) CHECK(st == VD_ERR_NON_FINITE || st == VD_ERR_ABORTED, "NaN pixel gave %d", st);
        free(pixels);
        n_frames = info.num_frames;
    } else {
        /* The buffer the contract asks for: n_frames * height * row_stride bytes (capped at 8 MB). */
        int valid = n_frames >= 1 && height >= 1 && width >= 1 && row_stride >= 3 * (size_t)width
                    && row_stride <= (size_t)INT64_MAX;
        size_t bytes = 0;
        int overflow = !valid || __builtin_mul_overflow((size_t)n_frames, (size_t)height, &bytes)
                       || __builtin_mul_overflow(bytes, row_stride, &bytes);
        if (valid && !overflow && bytes > ((size_t)8 << 20)) return 0; /* a legal call we cannot afford here */
        uint8_t *rgb = malloc(valid && !overflow ? bytes : 1);
        if (valid && !overflow) for (size_t i = 0; i < bytes; i++) rgb[i] = (uint8_t)(pattern + i * 31);
        else rgb[0] = 0;
        st = vd_encode_frames(model, (flags2 & 16) ? NULL : rgb, n_frames, height, width, row_stride, epp, &video);
        free(rgb);
        if (!valid || overflow || (flags2 & 16)) {
            check_failure(st, "encode_frames with bad arguments");
            CHECK(st == VD_ERR_INVALID_ARGUMENT || st == VD_ERR_NULL_POINTER, "bad frames gave %d", st);
        }
    }
    if (st != VD_OK) {
        check_failure(st, "encode");
        CHECK(video == NULL, "failed encode returned a video");
        if (st == VD_ERR_ABORTED) CHECK(as.stop_at > 0, "aborted without being asked");
        return 0;
    }
    CHECK(video != NULL, "no video");
    CHECK(!(as.stop_at > 0 && as.polls >= as.stop_at), "asked to abort but succeeded");
    if (ep.progress && epp) CHECK(ps.calls >= 1 && ps.last_done == ps.total, "progress ended at %d of %d", ps.last_done, ps.total);
    CHECK(vd_video_num_frames(video) == info.num_frames, "video frames");
    for (int32_t n = -1; n <= info.num_frames; n++) {
        int32_t src = vd_video_source_frame(video, n);
        if (n < 0 || n >= info.num_frames) CHECK(src == -1, "source frame %d of %d", src, n);
        else CHECK(src >= 0 && src < n_frames, "source frame %d", src);
    }

    /* ---- questions ---- */
    vd_answer_params ap = vd_answer_default_params();
    uint8_t qflags = u8(&r);
    ap.n_threads = threads(&r, qflags & 1);
    ap.top_k = (qflags & 2) ? (int32_t)u32(&r) : (int32_t)(u8(&r) % 12) - 1;
    int32_t *selection = NULL;
    int selection_ok = 1;
    if (qflags & 4) {
        selection = malloc((size_t)info.num_selected * sizeof *selection);
        for (int i = 0; i < info.num_selected; i++) {
            selection[i] = (qflags & 8) ? (int32_t)u32(&r) : (int32_t)(u8(&r) % (info.num_frames + 1));
            if (selection[i] < 0 || selection[i] >= info.num_frames) selection_ok = 0;
        }
        ap.selection = selection;
    }
    int32_t capacity = (qflags & 16) ? (int32_t)u32(&r) : (int32_t)(u8(&r) % 40) - 2;
    int32_t n_candidates = (int32_t)(u8(&r) % 5) - 1;
    /* The rest is text: the question, then candidates split at byte 0x01. */
    size_t text_len = r.n - r.at;
    char *text = malloc(text_len + 1);
    memcpy(text, r.p + r.at, text_len);
    text[text_len] = '\0';
    int params_ok = ap.n_threads >= 1 && ap.n_threads <= 1024 && ap.top_k >= 1 && selection_ok;

    vd_result *res = NULL;
    st = vd_answer(model, video, (qflags & 32) ? NULL : text, &ap, &res);
    if (st == VD_OK) {
        CHECK(params_ok && !(qflags & 32), "answer accepted bad params");
        check_result(res, ap.top_k, &r, n_frames);
        vd_result_free(res);
    } else {
        check_failure(st, "answer");
        CHECK(res == NULL, "failed answer returned a result");
    }

    if (capacity <= (1 << 16)) {
        int32_t *ids = capacity > 0 ? malloc((size_t)capacity * sizeof *ids) : NULL;
        int32_t count = -1;
        st = vd_tokenize(model, text, ids, capacity, &count);
        if (st == VD_OK) {
            CHECK(capacity >= info.context_length && count == info.context_length, "tokenize count %d", count);
            for (int i = 0; i < count; i++) CHECK(ids[i] >= 0 && ids[i] < info.vocab_size, "id %d", ids[i]);
        } else {
            check_failure(st, "tokenize");
        }
        free(ids);
    }

    if (info.has_vtm && n_candidates >= 0 && (qflags & 64)) {
        const char *cands[4] = { text, text, text, text };
        char *split = strchr(text, 1);
        if (split) { *split = '\0'; cands[1] = split + 1; }
        float scores[4];
        int32_t best = -1;
        st = vd_choose(model, video, text, n_candidates ? cands : NULL, n_candidates, &ap, scores, &best);
        if (st == VD_OK) CHECK(n_candidates >= 1 && best >= 0 && best < n_candidates, "best %d", best);
        else check_failure(st, "choose");
        float score = 0;
        st = vd_match(model, video, text, &ap, &score);
        if (st == VD_OK) CHECK(score <= 0 && !isnan(score), "match score %f", score);
        else check_failure(st, "match");
        /* The same counts over videos; with a split text, one video slot is NULL. */
        const vd_video *videos[4] = { video, video, video, video };
        if (split) videos[n_candidates > 1 ? 1 : 0] = NULL;
        float vscores[4];
        best = -1;
        st = vd_choose_video(model, n_candidates ? videos : NULL, n_candidates, text, &ap, vscores, &best);
        if (st == VD_OK) {
            CHECK(n_candidates >= 1 && !split && best == 0, "choose_video best %d of identical videos", best);
            for (int i = 0; i < n_candidates; i++) CHECK(vscores[i] == vscores[0], "choose_video scores differ");
        } else {
            check_failure(st, "choose_video");
        }
    }
    {
        int32_t uniform[64], count = -1, cap = (int32_t)(u8(&r) % 66) - 1;
        st = vd_uniform_selection(model, cap >= 0 ? uniform : NULL, cap, &count);
        if (st == VD_OK) {
            CHECK(cap >= info.num_selected && count == info.num_selected, "uniform count %d", count);
            for (int k = 0; k < count; k++)
                CHECK(uniform[k] == (2 * k + 1) * info.num_frames / (2 * info.num_selected), "uniform[%d]", k);
        } else {
            check_failure(st, "uniform_selection");
        }
    }
    if (info.has_cl && (qflags & 128)) {
        float sim = 0;
        st = vd_similarity(model, video, text, &ap, &sim);
        if (st == VD_OK) CHECK(sim >= -1.0001f && sim <= 1.0001f, "similarity %f", sim);
        else check_failure(st, "similarity");
    }
    /* Handles that are not this library's: a stack address, a freed video. */
    vd_result *bogus = NULL;
    check_failure(vd_answer((const vd_model *)&bogus, video, "x", NULL, &bogus), "foreign model handle");
    CHECK(vd_model_answer(model, (int32_t)u32(&r)) == NULL || 1, "answer lookup");
    vd_video_free(video);
    check_failure(vd_answer(model, video, "x", NULL, &bogus), "freed video handle");
    free(selection);
    free(text);
    return 0;
}
