/*
 * videodistill.h: the C interface of libvideodistill, a CPU inference runtime for VideoDistill video question
 * answering (../shared/SPEC.md in the source tree is the model contract).
 *
 * Usage:
 *
 *     vd_model *model = NULL;
 *     vd_model_params mp = vd_model_default_params();
 *     if (vd_model_load("model.gguf", &mp, &model) != VD_OK) {
 *         fprintf(stderr, "%s\n", vd_last_error());
 *         return 1;
 *     }
 *     vd_video *video = NULL;      // encode the frames once ...
 *     vd_encode_params ep = vd_encode_default_params();
 *     vd_encode_frames(model, rgb, n_frames, height, width, row_stride, &ep, &video);
 *     vd_answer_params ap = vd_answer_default_params();
 *     vd_result *result = NULL;    // ... and ask as many questions as you like
 *     if (vd_answer(model, video, "what colour is the ball?", &ap, &result) == VD_OK) {
 *         printf("%s (%.2f)\n", vd_result_answer_text(result, 0), vd_result_answer_probability(result, 0));
 *         vd_result_free(result);
 *     }
 *     vd_video_free(video);
 *     vd_model_free(model);
 *
 * Thread safety: a vd_model is immutable once loaded and may be shared by any number of threads; so may a
 * vd_video once encoded. Every call takes its own scratch memory, so concurrent calls on one model are safe.
 * A vd_result belongs to the caller that received it. The last-error message is kept per thread.
 *
 * Errors: every fallible function returns a vd_status; on failure vd_last_error() describes the problem in
 * words. No function aborts the process on bad input: NULL pointers, bad sizes, invalid UTF-8, non-finite
 * pixels, a corrupt model file each give their own status.
 *
 * Ownership: objects returned through `**out` arguments are owned by the caller and released with their
 * matching *_free function (which accepts NULL). Pointers returned by accessors stay valid while the object
 * they came from lives.
 */
#ifndef VIDEODISTILL_H
#define VIDEODISTILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status and errors ------------------------------------------------------------------------------------ */

typedef enum vd_status {
    VD_OK = 0,
    VD_ERR_NULL_POINTER = 1,      /* a required pointer argument was NULL */
    VD_ERR_INVALID_ARGUMENT = 2,  /* a size, count, stride or option is out of range or overflows */
    VD_ERR_INVALID_TEXT = 3,      /* text is not valid UTF-8 */
    VD_ERR_NON_FINITE = 4,        /* pixels hold NaN or infinity */
    VD_ERR_IO = 5,                /* a file could not be opened, mapped or read */
    VD_ERR_MODEL_FILE = 6,        /* the model file is malformed (header, table, shapes, metadata) */
    VD_ERR_MISSING_HEAD = 7,      /* the model lacks the head (QA, VTM, CL) this call needs */
    VD_ERR_WRONG_MODEL = 8,       /* the video was encoded by another model */
    VD_ERR_NUMERICAL = 9,         /* NaN selection logits (SPEC 5) */
    VD_ERR_ABORTED = 10,          /* the abort callback asked to stop */
    VD_ERR_INTERNAL = 11,         /* a bug: please report it with vd_last_error() */
    /* Video files (videodistill_video.h): */
    VD_ERR_NOT_FOUND = 12,        /* the video file or image folder does not exist or cannot be read */
    VD_ERR_UNDECODABLE = 13,      /* not a video (or images) that can be decoded, or too damaged to use */
    VD_ERR_NO_FRAMES = 14,        /* the video or folder holds no frames */
    VD_ERR_VIDEO_FILE = 15        /* an encoded-video file is malformed (header, sizes, offsets) */
} vd_status;

/* A constant English name for a status ("VD_ERR_IO: ..."); never NULL. */
const char *vd_status_string(vd_status status);

/* The message of the calling thread's most recent failure; "" when there was none. Valid until the thread's
 * next call into the library. */
const char *vd_last_error(void);

/* The library version, "MAJOR.MINOR.PATCH". */
const char *vd_version(void);

/* What computes on this machine (for logs, benchmarks, and callers comparing int8 results across machines).
 * The strings are constants. */
typedef struct vd_compute_info {
    const char *kernels;          /* the C kernels' SIMD path: "avx512", "avx2" or "scalar" */
    const char *int8;             /* the int8 kernels' path: "avx512-vnni", "avx-vnni", "avx2" or "scalar" */
    int32_t int8_activation_max;  /* int8 layers quantize activations per token to [-max, max]: 127, or 64 on the
                                     "avx2" path (CPUs without VNNI) when the environment variable
                                     VD_INT8_NARROW=1 asks for it: about twice as fast there, less exact (README) */
    const char *blas_core;        /* OpenBLAS's kernels (fp32 products), e.g. "Haswell", "SkylakeX" */
    const char *isa_cap;          /* NULL, or the cap the environment variable VD_ISA ("scalar", "avx2" (no VNNI),
                                     "avx512"), read once per process, puts on both paths: one machine runs as an
                                     older CPU would */
} vd_compute_info;

vd_status vd_get_compute_info(vd_compute_info *out_info);

/* ---- Model ------------------------------------------------------------------------------------------------ */

typedef struct vd_model vd_model;

typedef struct vd_model_params {
    int32_t reserved; /* must be 0; room for future options */
} vd_model_params;

vd_model_params vd_model_default_params(void);

/* Loads a model file (GGUF written by convert-weights). The file is memory-mapped and checked: magic,
 * version, offsets, dtypes, every tensor's shape against the config. `params` may be NULL (defaults). */
vd_status vd_model_load(const char *path, const vd_model_params *params, vd_model **out_model);

/* Same from a buffer of n_bytes holding a whole model file; the buffer is copied and may be freed after. */
vd_status vd_model_load_from_buffer(const void *data, size_t n_bytes, const vd_model_params *params,
                                    vd_model **out_model);

void vd_model_free(vd_model *model);

/* The model's SPEC 11 configuration and what it holds. */
typedef struct vd_model_info {
    int32_t image_size, resize_short, patch_size;             /* S, R, patch */
    int32_t vision_width, vision_layers, vision_heads;         /* Dv, ... */
    int32_t text_width, text_layers, text_heads, vocab_size;   /* Dt_w, ..., V */
    int32_t context_length, text_embed_dim;                    /* ..., Dt */
    int32_t model_dim, model_heads, fs_layers, vr_layers;      /* D, H, L_fs, L_vr */
    int32_t num_frames, num_selected, qa_hidden;               /* N, K, D_qa */
    int32_t num_answers;                                       /* A (0 without a QA head) */
    int32_t patches_per_frame;                                 /* P */
    float mean[3], std[3];
    float clip_ln_eps, ln_eps;
    bool has_qa, has_vtm, has_cl;
    const char *weight_type;                                   /* "f32" or "int8" */
} vd_model_info;

vd_status vd_model_get_info(const vd_model *model, vd_model_info *out_info);

/* Answer string i (0 <= i < num_answers) in logit order, UTF-8; NULL when out of range. */
const char *vd_model_answer(const vd_model *model, int32_t i);

/* ---- Encoding a video (question-independent, once per video) --------------------------------------------- */

typedef struct vd_video vd_video;

/* Return true to stop a long encode (it then fails with VD_ERR_ABORTED and releases everything). */
typedef bool (*vd_abort_callback)(void *user_data);
/* Called after each encoded frame: n_done of n_total. */
typedef void (*vd_progress_callback)(int32_t n_done, int32_t n_total, void *user_data);

typedef struct vd_encode_params {
    int32_t n_threads;                 /* >= 1; default 1 */
    vd_progress_callback progress;     /* may be NULL */
    void *progress_user_data;
    vd_abort_callback abort;           /* may be NULL */
    void *abort_user_data;
} vd_encode_params;

vd_encode_params vd_encode_default_params(void);

/* Encodes a video from n_frames >= 1 uint8 RGB frames, interleaved (HWC), all height x width, each row
 * row_stride >= 3 * width bytes apart and frame f starting at rgb + f * height * row_stride. The runtime
 * picks N frames by SPEC 1's rule (repeats when n_frames < N), resizes, crops and normalises them and runs
 * the frame encoder. `params` may be NULL (defaults). */
vd_status vd_encode_frames(const vd_model *model, const uint8_t *rgb, int32_t n_frames, int32_t height,
                           int32_t width, size_t row_stride, const vd_encode_params *params,
                           vd_video **out_video);

/* Encodes N already preprocessed frames: pixels float32 [n_frames, 3, S, S] with n_frames == N. Every value
 * must be finite. */
vd_status vd_encode_pixels(const vd_model *model, const float *pixels, int32_t n_frames,
                           const vd_encode_params *params, vd_video **out_video);

/* Memory: an encoded video holds only its N x (1 + P) x Dv float32 tokens plus a few hundred bytes (57.7 MiB
 * for the paper config: N = 100, P = 196, Dv = 768; 19,584 bytes for the tiny_a test model, 19,722 measured).
 * The caller's frames are not kept, and only the N sampled frames are read: a 100,000-frame video mapped from
 * a file costs the encode a few hundred KiB of scratch above that (HardeningResourceTests measures both). */
void vd_video_free(vd_video *video);

/* Number of sampled frames (N) and, for frame n, the index into the caller's frames it came from
 * (-1 when out of range; for vd_encode_pixels, n itself). */
int32_t vd_video_num_frames(const vd_video *video);
int32_t vd_video_source_frame(const vd_video *video, int32_t n);

/* For a video encoded from a file (vd_encode_video_file): encoded frame n's time in seconds after the video's
 * first frame (NaN when the file does not say, or for other videos and out-of-range n), and whether frame n
 * could not be decoded and holds its nearest decoded neighbour instead (1; 0 otherwise; -1 out of range). */
double vd_video_source_seconds(const vd_video *video, int32_t n);
int32_t vd_video_sample_replaced(const vd_video *video, int32_t n);

/* The video the N frames were picked from: returns its frame count F and sets *out_width, *out_height to its
 * frame size (either may be NULL), for videos encoded from frames (vd_encode_frames, vd_encode_video_file) and
 * encoded-video files saved from them; -1 (and 0 x 0) when unknown (vd_encode_pixels, vd_video_from_tokens) or
 * for NULL. */
int64_t vd_video_source_size(const vd_video *video, int32_t *out_width, int32_t *out_height);

/* ---- Encoded-video files and tokens ----------------------------------------------------------------------- */

/* An encoded video saved to a file and loaded back later, by this process or another, for the model whose frame
 * encoder made it: the file is memory-mapped when loaded (opening reads its 128-byte header and N frames'
 * metadata), and a question reads only what SPEC 4-6 need of it -- v_cls of the N frames and the patches of the K
 * selected frames, (N + K P) Dv values -- not the N (1 + P) Dv of the whole video.
 *
 * Precision, chosen when saving: VD_VIDEO_FLOAT32 (the tokens exactly: answers equal those from memory, bit for
 * bit), VD_VIDEO_FLOAT16 (half the size), VD_VIDEO_INT8 (per token: int8 values with one float32 scale, max |x| /
 * 127; about a quarter of the size). The compact forms answer within SPEC 8's int8 gate of the float32 file.
 *
 * A file is tied to its model by a fingerprint of everything that decides the tokens (the frame side's config and
 * the frame encoder's weights): loading it with a model whose frame encoder differs fails with VD_ERR_WRONG_MODEL
 * (an int8 model file that keeps the ViT in fp32 shares its fp32 file's videos). A truncated, corrupt or hostile
 * file fails with VD_ERR_VIDEO_FILE (checked on load: magic, version, precision, sizes, offsets, alignment, the
 * file's size); the file must not be truncated while a video loaded from it lives. The format: EncodedVideoFile.swift. */
typedef enum vd_video_precision {
    VD_VIDEO_FLOAT32 = 0,
    VD_VIDEO_FLOAT16 = 1,
    VD_VIDEO_INT8 = 2
} vd_video_precision;

/* Writes `video` (made by `model`) to `path` (UTF-8), through a temporary file renamed over it. */
vd_status vd_video_save(const vd_model *model, const vd_video *video, const char *path, int32_t precision);

/* Maps and checks the encoded-video file at `path` for `model`; free the video with vd_video_free. */
vd_status vd_video_load(const vd_model *model, const char *path, vd_video **out_video);

/* The precision of the file a video was loaded from; VD_VIDEO_FLOAT32 for a video in memory; -1 for NULL. */
int32_t vd_video_stored_precision(const vd_video *video);

/* A video's tokens, float32 [N, 1 + P, Dv] row-major (token 0 of a frame is its v_cls), valid while the video
 * lives: the video's own memory for an encoded video (no copy); for a loaded file, widened into memory once on the
 * first call (N (1 + P) Dv floats). NULL (and vd_last_error) for a NULL video. The sizes may be NULL. */
const float *vd_video_tokens(const vd_video *video, int32_t *out_n, int32_t *out_tokens_per_frame, int32_t *out_width);

/* A video from tokens computed elsewhere (a cache, a training pipeline): float32 [n, tokens_per_frame, width],
 * which must be the model's [N, 1 + P, Dv] and finite (VD_ERR_NON_FINITE otherwise); copied. */
vd_status vd_video_from_tokens(const vd_model *model, const float *tokens, int32_t n, int32_t tokens_per_frame,
                               int32_t width, vd_video **out_video);

/* ---- Questions -------------------------------------------------------------------------------------------- */

typedef struct vd_answer_params {
    int32_t n_threads;        /* >= 1; default 1 */
    int32_t top_k;            /* answers to rank, 1..A; default 5 (clamped to A) */
    const int32_t *selection; /* NULL (default): VideoDistill's learned selection (SPEC 5). Otherwise K
                                 indices into the N sampled frames, in slot order, used instead: for the
                                 paper's ablations (e.g. vd_uniform_selection), not for normal use. */
} vd_answer_params;

vd_answer_params vd_answer_default_params(void);

/* The paper's uniform baseline: K evenly spaced indices into the N sampled frames, (2k+1) N div 2K for
 * k = 0..K-1, written to out_selection (capacity >= K entries; *out_count = K, out_count may be NULL). Pass it
 * as vd_answer_params.selection to answer from evenly spaced frames instead of the learned selection. */
vd_status vd_uniform_selection(const vd_model *model, int32_t *out_selection, int32_t capacity,
                               int32_t *out_count);

/* SPEC 1's evenly spaced pick of `n` of `count` items, idx_i = ((2i + 1) count) div (2n) for i = 0..n-1 (exact
 * for any positive sizes; repeats when count < n), written to out_indices (n entries): the frames a video of
 * `count` frames is sampled at (n = num_frames), and the uniform baseline (count = num_frames, n = num_selected,
 * as vd_uniform_selection). Needs no model. */
vd_status vd_frame_indices(int64_t count, int32_t n, int64_t *out_indices);

typedef struct vd_result vd_result;

/* Answers a question (UTF-8, NUL-terminated; empty allowed; text longer than the context is truncated as
 * SPEC 2.3 says). Needs the QA head. */
vd_status vd_answer(const vd_model *model, const vd_video *video, const char *question,
                    const vd_answer_params *params, vd_result **out_result);

/* The same for any model, with or without a QA head: the selection, v_star and the gate maps of (video, text),
 * and whichever head outputs the model has (vd_result_top_k is 0 without a QA head; vd_result_match_score and
 * vd_result_similarity are NaN without a VTM / CL head). For retrieval models, and to explain a match. */
vd_status vd_explain(const vd_model *model, const vd_video *video, const char *text, const vd_answer_params *params,
                     vd_result **out_result);

void vd_result_free(vd_result *result);

/* Ranked answers: rank 0 is the most probable (highest logit; ties: the lower answer index). Index into the
 * answer list, its text and softmax probability; -1 / NULL / NaN when rank is out of range. */
int32_t vd_result_top_k(const vd_result *result);
int32_t vd_result_answer_index(const vd_result *result, int32_t rank);
const char *vd_result_answer_text(const vd_result *result, int32_t rank);
float vd_result_answer_probability(const vd_result *result, int32_t rank);

/* All A QA logits. */
const float *vd_result_qa_logits(const vd_result *result, int32_t *out_count);

/* The K selected frames in slot order (duplicates possible): indices into the caller's frames, and into the N
 * sampled frames. */
const int32_t *vd_result_selected_frames(const vd_result *result, int32_t *out_count);
const int32_t *vd_result_selected_samples(const vd_result *result, int32_t *out_count);

/* Selection logits [N, K] row-major, and per-frame selection probabilities [N, K]: softmax over the N frames
 * of each slot's logits. */
const float *vd_result_selection_logits(const vd_result *result, int32_t *out_n, int32_t *out_k);
const float *vd_result_selection_probabilities(const vd_result *result, int32_t *out_n, int32_t *out_k);

/* The VTM head's log p(match) of the result's (video, text), as vd_match gives it; the CL head's similarity, as
 * vd_similarity gives it. NaN when the model lacks the head (or for a NULL result). */
float vd_result_match_score(const vd_result *result);
float vd_result_similarity(const vd_result *result);

/* v_star [D], the video representation the heads read. */
const float *vd_result_v_star(const vd_result *result, int32_t *out_count);

/* LA-Gate maps: FS [L_fs, N, H] and VR [L_vr, 1 + K*P, H] (token order of SPEC 6), row-major. */
const float *vd_result_fs_gates(const vd_result *result, int32_t *out_layers, int32_t *out_tokens,
                                int32_t *out_heads);
const float *vd_result_vr_gates(const vd_result *result, int32_t *out_layers, int32_t *out_tokens,
                                int32_t *out_heads);

/* Video-text match score (SPEC 7, VTM head): log_softmax(vtm_logits)[1] with `text` as the question. For
 * multiple choice, score question + " " + candidate for each candidate; the highest wins. */
vd_status vd_match(const vd_model *model, const vd_video *video, const char *text,
                   const vd_answer_params *params, float *out_score);

/* Multiple choice over candidate answers (SPEC 7): scores[i] for question + " " + candidates[i]; *out_best is
 * the highest (first on ties). scores may be NULL. */
vd_status vd_choose(const vd_model *model, const vd_video *video, const char *question,
                    const char *const *candidates, int32_t n_candidates, const vd_answer_params *params,
                    float *out_scores, int32_t *out_best);

/* Multiple choice over videos (SPEC 7): scores[i] is the match score (vd_match) of `text` with videos[i], all
 * encoded by this model; *out_best is the highest (first on ties). scores may be NULL. */
vd_status vd_choose_video(const vd_model *model, const vd_video *const *videos, int32_t n_videos, const char *text,
                          const vd_answer_params *params, float *out_scores, int32_t *out_best);

/* CL head similarity of (video, text) in [-1, 1]. */
vd_status vd_similarity(const vd_model *model, const vd_video *video, const char *text,
                        const vd_answer_params *params, float *out_similarity);

/* Token ids of `text` as the model sees them: context_length ids (SOT, BPE ids, EOT, zero padding) written to
 * out_ids, which must hold `capacity` >= context_length entries; *out_count = context_length. */
vd_status vd_tokenize(const vd_model *model, const char *text, int32_t *out_ids, int32_t capacity,
                      int32_t *out_count);

#ifdef __cplusplus
}
#endif

#endif /* VIDEODISTILL_H */
