/*
 * vd_video_io.h: decode chosen frames of a video file (or one image) to RGB24 through FFmpeg's libraries
 * (Debian's libavformat, libavcodec, libswscale, libavutil).
 *
 * Usage:
 *     vdio_video *v; char err[512];
 *     if (vdio_open("clip.mp4", 2, &v, err, sizeof err) != VDIO_OK) { puts(err); return; }
 *     int64_t n; int32_t w, h;
 *     vdio_info(v, &n, &w, &h);
 *     int64_t want[2] = {0, n - 1};
 *     uint8_t *rgb = malloc(2 * (size_t)h * w * 3);
 *     if (vdio_read_frames(v, want, 2, rgb, 2 * (size_t)h * w * 3, NULL, NULL, err, sizeof err) != VDIO_OK) ...
 *     vdio_close(v);
 *
 * Frames are numbered 0..n-1 in presentation order. The count and each frame's timestamp come from one pass
 * over the container's packets at open (no decoding). Reading frame i decodes forward from where the decoder
 * is when no keyframe lies between there and frame i, and otherwise seeks to the last keyframe at or before
 * frame i first; frames are matched by timestamp, so a seek that lands elsewhere is noticed and repaired by
 * decoding from the start. Streams whose packets carry no timestamps are read sequentially, frames counted
 * in decoder output order. A stream's display rotation (phone videos) is applied in quarter turns, as the
 * ffmpeg command does by default: sizes and pixels are as displayed.
 *
 * Thread-safety: a handle is used by one thread at a time; different handles are independent. The first
 * vdio_open installs a libav log callback that prints nothing and keeps each thread's last libav error for
 * the messages below (process-wide, as libav's logging is), and caps libav's single allocations at
 * VDIO_MAX_ALLOC (av_max_alloc, process-wide too).
 *
 * Errors: every function returns a vdio_status and, where it takes errbuf, writes a one-line message there
 * (NUL-terminated, truncated to errlen). A corrupt or hostile file gives VDIO_UNDECODABLE, never a crash.
 */
#ifndef VD_VIDEO_IO_H
#define VD_VIDEO_IO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What a call returns.
typedef enum vdio_status {
    VDIO_OK = 0,
    /// The path does not exist, or cannot be opened for reading (permissions).
    VDIO_NOT_FOUND = 1,
    /// The file is not a video (or image) libav can decode, has no video stream, or is corrupt.
    VDIO_UNDECODABLE = 2,
    /// An argument is wrong: NULL, index out of range, output buffer too small.
    VDIO_BAD_ARGUMENT = 3,
    /// An allocation failed.
    VDIO_NO_MEMORY = 4,
    /// The progress callback asked to stop.
    VDIO_ABORTED = 5,
    /// The video stream holds no frames.
    VDIO_NO_FRAMES = 6,
} vdio_status;

/// Largest width or height accepted (libav's own limit is 16384 for most codecs).
#define VDIO_MAX_SIDE 32768

/// The largest single allocation libav may make once the first vdio_open has run (av_max_alloc, process-wide):
/// 256 MiB, so that a hostile file cannot make a demuxer reserve more in one piece (an RGB frame of up to ~9,400 x
/// 9,400 still fits; 8K is 100 MB). A host that uses libav itself shares this setting.
#define VDIO_MAX_ALLOC ((size_t)256 << 20)

/// An open video: demuxer, decoder, frame timeline and decoding position.
typedef struct vdio_video vdio_video;

/// Called after each frame vdio_read_frames delivers: (frames done, frames asked). Return nonzero to stop.
typedef int (*vdio_progress_fn)(void *user, int32_t done, int32_t total);

/// Opens `path`, picks its best video stream (attached cover pictures excluded), reads every packet once to
/// build the frame timeline, and readies the decoder with `threads` decoding threads (0: libav chooses).
/// On success *out is a handle for vdio_close; on failure *out is NULL and errbuf says why.
vdio_status vdio_open(const char *path, int32_t threads, vdio_video **out, char *errbuf, size_t errlen);

/// The frame count and the frame size as displayed (every delivered frame has it). Any pointer may be NULL.
/// Returns VDIO_BAD_ARGUMENT for a NULL handle.
vdio_status vdio_info(const vdio_video *v, int64_t *n_frames, int32_t *width, int32_t *height);

/// Decodes frames `indices[0..count)` (each in 0..n_frames-1, any order, repeats allowed; ascending order
/// decodes least) into rgb_out: frame j at rgb_out + j * height * width * 3, rows of width * 3 bytes, RGB.
/// out_size must be at least count * height * width * 3. `progress` may be NULL.
vdio_status vdio_read_frames(vdio_video *v, const int64_t *indices, int32_t count, uint8_t *rgb_out,
                             size_t out_size, vdio_progress_fn progress, void *user, char *errbuf, size_t errlen);

/// The presentation time of frame `index` in seconds after the first frame's: from the frame timeline and the
/// stream's time base; for a stream without packet timestamps, index / average frame rate; NaN when neither is
/// known. VDIO_BAD_ARGUMENT for a NULL pointer or an index out of range.
vdio_status vdio_frame_seconds(const vdio_video *v, int64_t index, double *seconds);

/// The frame count the container declares for the stream (e.g. an mp4's index), 0 when it declares none. More
/// than n_frames means frames are missing from the file (a truncated or damaged file).
vdio_status vdio_declared_frames(const vdio_video *v, int64_t *declared);

/// Work done so far (for tests and diagnostics): frames out of the decoder, seeks, restarts from the start.
vdio_status vdio_stats(const vdio_video *v, int64_t *frames_decoded, int64_t *seeks, int64_t *restarts);

/// Frees everything the handle holds. NULL is allowed.
void vdio_close(vdio_video *v);

#ifdef __cplusplus
}
#endif

#endif
