/*
 * videodistill_video.h: video files for libvideodistill, in libvideodistill_video.so (the core library plus
 * FFmpeg's decoders: Debian's libavformat, libavcodec, libswscale, libavutil). An embedder that has frames in
 * memory needs only libvideodistill.so and videodistill.h; one that has files links libvideodistill_video.so,
 * which holds every function of videodistill.h too, and includes this header.
 *
 *     vd_video *video = NULL;
 *     vd_video_file_params vp = vd_video_file_default_params();
 *     vd_video_file_info info;
 *     if (vd_encode_video_file(model, "clip.mp4", &vp, &video, &info) != VD_OK) {
 *         fprintf(stderr, "%s\n", vd_last_error());
 *         return 1;
 *     }
 *     ... vd_answer(model, video, ...) as with vd_encode_frames; vd_video_source_seconds(video, n) says where
 *     in the file the n-th encoded frame is ...
 *     vd_video_free(video);
 *
 * What is read: a video file libav decodes (mp4, webm, mkv, avi, ...; its best video stream, attached cover
 * pictures excluded), a single image (PNG, JPEG, BMP), or a folder of images (their file names in natural
 * order, digit runs compared as numbers, hidden files skipped; all of one size). Only the N frames SPEC 1
 * picks from the F frames are decoded, each distinct one once. A stream's display rotation (phone videos) is
 * applied in quarter turns, as the ffmpeg command does, so frames are as displayed.
 *
 * Colour: each frame is converted to 8-bit RGB by libswscale at its own size (no scaling) with the frame's
 * colour matrix and range (BT.601 where the file does not say) and the flags SWS_BICUBIC | SWS_ACCURATE_RND |
 * SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP | SWS_BITEXACT (full chroma interpolation, exact rounding), so that
 * lossless RGB sources come back exactly. The `videodistill` command and the Python package's
 * Model.encode_video decode through this function, and the training tools through vd_read_video_file_frames.
 *
 * Frames that cannot be decoded (a damaged or truncated file): by default each sampled frame that cannot be
 * decoded is replaced by the nearest earlier sampled frame that could be (by the nearest later one when no
 * earlier one could), and the video says which (vd_video_sample_replaced; vd_video_source_frame then names the
 * frame actually used); none decodable is VD_ERR_UNDECODABLE. With `strict`, the first sampled frame that
 * cannot be decoded fails the call with VD_ERR_UNDECODABLE, and so does a file that declares more frames than it
 * holds (info.declared_frames > info.frame_count, e.g. an mp4 cut short).
 *
 * Process-wide libav settings, made by the first call: libav's log output is captured for the messages (nothing is
 * printed), and no single libav allocation may exceed 256 MiB (av_max_alloc; an RGB frame up to ~9,400 x 9,400
 * fits), so that a hostile file cannot make a demuxer reserve more; a host that uses libav itself shares both.
 *
 * Statuses: VD_ERR_NOT_FOUND (no such file or folder, or not readable), VD_ERR_UNDECODABLE (not a video or
 * images libav decodes, or too damaged), VD_ERR_NO_FRAMES (a video stream or folder with no frames),
 * VD_ERR_ABORTED, and those of vd_encode_frames; vd_last_error() names the file.
 */
#ifndef VIDEODISTILL_VIDEO_H
#define VIDEODISTILL_VIDEO_H

#include "videodistill.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vd_video_file_params {
    int32_t n_threads;                 /* encoding threads, >= 1; default 1 */
    int32_t decode_threads;            /* libav decoding threads, 0...1024; default 0 (libav chooses) */
    vd_progress_callback progress;     /* may be NULL; called as sampled frames are decoded (n of the distinct
                                          sampled frames), then as they are encoded */
    void *progress_user_data;
    vd_abort_callback abort;           /* may be NULL; polled while encoding */
    void *abort_user_data;
    bool strict;                       /* false (default): replace undecodable sampled frames; true: fail */
} vd_video_file_params;

vd_video_file_params vd_video_file_default_params(void);

/* What vd_encode_video_file found in the file. */
typedef struct vd_video_file_info {
    int64_t frame_count;       /* F: the frames the file holds (an image folder: its images) */
    int64_t declared_frames;   /* the frame count the container declares, 0 when it declares none */
    int32_t width, height;     /* the frame size as displayed */
    int32_t replaced_frames;   /* how many of the N encoded frames hold a neighbour's (see above) */
} vd_video_file_info;

/* Encodes the video file or image folder at `path` (UTF-8) for `model`: decodes the N frames SPEC 1 picks and
 * encodes them as vd_encode_frames would. `params` and `out_info` may be NULL. */
vd_status vd_encode_video_file(const vd_model *model, const char *path, const vd_video_file_params *params,
                               vd_video **out_video, vd_video_file_info *out_info);

/* The frames SPEC 1 picks from the video file or image folder at `path`, decoded exactly as vd_encode_video_file
 * decodes them (same colour conversion, rotation and policy for frames that cannot be decoded), for callers that
 * preprocess frames themselves, such as a training pipeline: `n_frames` frames (idx_n = ((2n + 1) F) div
 * (2 n_frames), vd_frame_indices), each distinct one decoded once, laid out in pick order as uint8 RGB
 * [n_frames, height, width, 3] at `out`, which holds `out_size` >= n_frames * height * width * 3 bytes.
 * With out == NULL the file is only opened and `out_info` filled (frame_count, declared_frames, width, height),
 * so that a caller can size the buffer. `out_source_frames` (may be NULL): n_frames entries, the frame each
 * sample holds (idx_n, or the frame standing in for it); `out_seconds` (may be NULL): n_frames entries, that
 * frame's time in seconds after the first, NaN where the file does not say. Uses decode_threads, progress
 * (the distinct frames decoded) and strict of `params` (may be NULL); out_info may be NULL. */
vd_status vd_read_video_file_frames(const char *path, int32_t n_frames, const vd_video_file_params *params,
                                    uint8_t *out, size_t out_size, int64_t *out_source_frames, double *out_seconds,
                                    vd_video_file_info *out_info);

#ifdef __cplusplus
}
#endif

#endif /* VIDEODISTILL_VIDEO_H */
