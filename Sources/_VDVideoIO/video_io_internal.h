/* Internal state and helpers shared by the _VDVideoIO sources. */
#ifndef VD_VIDEO_IO_INTERNAL_H
#define VD_VIDEO_IO_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "vd_video_io.h"

/// Where a message goes: the caller's buffer (may be NULL / 0).
typedef struct vdio_msg {
    char *buf;
    size_t len;
} vdio_msg;

struct vdio_video {
    char *path;
    int32_t threads;

    // Demuxer and decoder; rebuilt by vdio_restart.
    AVFormatContext *fmt;
    AVCodecContext *dec;
    int stream;
    AVPacket *pkt;
    AVFrame *frame;

    // Conversion to RGB24: a cached scaler and an aligned scratch picture of the frame size.
    struct SwsContext *sws;
    uint8_t *rgb;
    int rgb_linesize;

    int32_t width, height;              // as displayed (after rotation)
    int32_t coded_width, coded_height;  // as decoded
    int rotation;                       // clockwise quarter turns to display a decoded frame: 0...3
    int64_t n_frames;
    // Timeline: presentation timestamps of frames 0..n_frames-1 (ascending) and of the keyframes
    // (ascending); NULL when packets lack timestamps (sequential, ordinal mode).
    int64_t *pts;
    int64_t *keys;
    int64_t n_keys;
    // Timing: the stream's time base (seconds per pts unit), its average frame rate (0/0 when unknown), and
    // the frame count the container declares (0 when it does not say).
    AVRational time_base, frame_rate;
    int64_t declared_frames;

    // Decoding position.
    int at_start;          // nothing decoded since open or restart
    int have_last;         // last_pts holds the timestamp of the last frame out of the decoder
    int64_t last_pts;
    int64_t next_ordinal;  // ordinal mode: index of the next frame out of the decoder
    int flushed;           // the end of the stream was sent to the decoder

    int64_t frames_decoded, seeks, restarts;
};

/// Writes a formatted message (with the thread's last libav error appended when `with_libav`) and
/// returns `status`.
vdio_status vdio_fail(vdio_msg m, vdio_status status, int with_libav, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/// libav's text for an error code.
const char *vdio_av_error(int code, char *buf, size_t len);

/// Clears the thread's last libav log error.
void vdio_clear_log(void);

/// Installs the capturing log callback once per process.
void vdio_install_log(void);

/// (Re)opens the demuxer and decoder at the start of the file; sizes are checked against v->width/height
/// when those are set. Frees any previous ones.
vdio_status vdio_open_input(vdio_video *v, vdio_msg m);

/// Reopens the input at its start (the decoder starts fresh).
vdio_status vdio_restart(vdio_video *v, vdio_msg m);

/// Converts v->frame to RGB24 at `out` (height rows of width * 3 bytes).
vdio_status vdio_convert(vdio_video *v, uint8_t *out, vdio_msg m);

#endif
