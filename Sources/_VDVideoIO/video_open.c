/* Opening a video: demuxer, best video stream, decoder, and the frame timeline from one packet pass. */
#define _POSIX_C_SOURCE 200809L  // strdup, access
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/display.h>

#include "video_io_internal.h"

/// Frees the demuxer, decoder, packet and frame (not the timeline or the scaler).
static void close_input(vdio_video *v) {
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fmt);
    av_packet_free(&v->pkt);
    av_frame_free(&v->frame);
}

/// Clockwise quarter turns that display the stream upright (its display matrix, as the ffmpeg command
/// applies it by default): 0...3. Mirrored matrices are taken by their rotation alone.
static int display_rotation(const AVStream *s) {
    size_t size = 0;
    const uint8_t *matrix = av_stream_get_side_data(s, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (matrix == NULL || size < 9 * sizeof(int32_t)) return 0;
    double degrees = -av_display_rotation_get((const int32_t *)matrix);  // clockwise
    if (!isfinite(degrees)) return 0;
    long quarter = lround(degrees / 90.0);
    return (int)(((quarter % 4) + 4) % 4);
}

vdio_status vdio_open_input(vdio_video *v, vdio_msg m) {
    char e[128];
    close_input(v);
    vdio_clear_log();
    int r = avformat_open_input(&v->fmt, v->path, NULL, NULL);
    if (r < 0) {
        if (r == AVERROR(ENOENT) || r == AVERROR(EACCES))
            return vdio_fail(m, VDIO_NOT_FOUND, 0, "%s: %s", v->path, vdio_av_error(r, e, sizeof e));
        return vdio_fail(m, VDIO_UNDECODABLE, 1, "%s: not a video libav can read: %s", v->path,
                         vdio_av_error(r, e, sizeof e));
    }
    r = avformat_find_stream_info(v->fmt, NULL);
    if (r < 0)
        return vdio_fail(m, VDIO_UNDECODABLE, 1, "%s: cannot read stream information: %s", v->path,
                         vdio_av_error(r, e, sizeof e));
    // The best video stream that is a real video, not an attached cover picture.
    v->stream = -1;
    int best = av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    for (unsigned i = 0; i < v->fmt->nb_streams; i++) {
        AVStream *s = v->fmt->streams[i];
        int usable = s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC);
        if (usable && (v->stream < 0 || (int)i == best)) v->stream = (int)i;
        if (!usable) s->discard = AVDISCARD_ALL;
    }
    if (v->stream < 0) return vdio_fail(m, VDIO_UNDECODABLE, 0, "%s: has no video stream", v->path);
    for (unsigned i = 0; i < v->fmt->nb_streams; i++)
        if ((int)i != v->stream) v->fmt->streams[i]->discard = AVDISCARD_ALL;

    AVCodecParameters *par = v->fmt->streams[v->stream]->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (codec == NULL)
        return vdio_fail(m, VDIO_UNDECODABLE, 0, "%s: no decoder for codec %s", v->path, avcodec_get_name(par->codec_id));
    if (par->width <= 0 || par->height <= 0 || par->width > VDIO_MAX_SIDE || par->height > VDIO_MAX_SIDE)
        return vdio_fail(m, VDIO_UNDECODABLE, 1, "%s: frame size %d x %d is not in 1...%d", v->path, par->width,
                         par->height, VDIO_MAX_SIDE);
    if (v->coded_width > 0 && (par->width != v->coded_width || par->height != v->coded_height))
        return vdio_fail(m, VDIO_UNDECODABLE, 0, "%s: frame size changed to %d x %d on reopening", v->path,
                         par->width, par->height);
    v->dec = avcodec_alloc_context3(codec);
    v->pkt = av_packet_alloc();
    v->frame = av_frame_alloc();
    if (v->dec == NULL || v->pkt == NULL || v->frame == NULL) return vdio_fail(m, VDIO_NO_MEMORY, 0, "out of memory");
    r = avcodec_parameters_to_context(v->dec, par);
    if (r >= 0) {
        v->dec->thread_count = v->threads;
        v->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
        v->dec->pkt_timebase = v->fmt->streams[v->stream]->time_base;
        r = avcodec_open2(v->dec, codec, NULL);
    }
    if (r < 0)
        return vdio_fail(m, VDIO_UNDECODABLE, 1, "%s: cannot open the %s decoder: %s", v->path, codec->name,
                         vdio_av_error(r, e, sizeof e));
    v->coded_width = par->width;
    v->coded_height = par->height;
    v->rotation = display_rotation(v->fmt->streams[v->stream]);
    v->time_base = v->fmt->streams[v->stream]->time_base;
    v->frame_rate = v->fmt->streams[v->stream]->avg_frame_rate;
    v->declared_frames = v->fmt->streams[v->stream]->nb_frames > 0 ? v->fmt->streams[v->stream]->nb_frames : 0;
    v->width = v->rotation % 2 ? par->height : par->width;
    v->height = v->rotation % 2 ? par->width : par->height;
    v->at_start = 1;
    v->have_last = 0;
    v->next_ordinal = 0;
    v->flushed = 0;
    return VDIO_OK;
}

vdio_status vdio_restart(vdio_video *v, vdio_msg m) {
    v->restarts++;
    return vdio_open_input(v, m);
}

static int compare_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/// Appends `x` to a growing array; 0 on success.
static int push(int64_t **a, int64_t *n, int64_t *cap, int64_t x) {
    if (*n == *cap) {
        int64_t c = *cap ? 2 * *cap : 1024;
        if ((uint64_t)c > SIZE_MAX / sizeof(int64_t)) return -1;
        int64_t *p = realloc(*a, (size_t)c * sizeof(int64_t));
        if (p == NULL) return -1;
        *a = p;
        *cap = c;
    }
    (*a)[(*n)++] = x;
    return 0;
}

/// One pass over the stream's packets (no decoding): frame count, timestamps and keyframes. Packets that
/// are empty or marked for discarding (before an edit list's start) make no frame.
static vdio_status scan_timeline(vdio_video *v, vdio_msg m) {
    int64_t n = 0, cap = 0, n_keys = 0, key_cap = 0;
    int64_t *pts = NULL, *keys = NULL;
    int ordinal = 0, r;
    while ((r = av_read_frame(v->fmt, v->pkt)) >= 0) {
        const AVPacket *p = v->pkt;
        if (p->stream_index == v->stream && p->size > 0 && !(p->flags & AV_PKT_FLAG_DISCARD)) {
            if (p->pts == AV_NOPTS_VALUE) ordinal = 1;
            int fail = push(&pts, &n, &cap, p->pts);
            if (!fail && (p->flags & AV_PKT_FLAG_KEY)) fail = push(&keys, &n_keys, &key_cap, p->pts);
            if (fail) {
                av_packet_unref(v->pkt);
                free(pts);
                free(keys);
                return vdio_fail(m, VDIO_NO_MEMORY, 0, "%s: out of memory for the frame timeline", v->path);
            }
        }
        av_packet_unref(v->pkt);
    }
    if (n == 0) {
        free(pts);
        free(keys);
        return vdio_fail(m, VDIO_NO_FRAMES, 0, "%s: the video stream has no frames", v->path);
    }
    if (ordinal) {
        free(pts);
        free(keys);
        pts = keys = NULL;
        n_keys = 0;
    } else {
        qsort(pts, (size_t)n, sizeof *pts, compare_i64);
        if (keys) qsort(keys, (size_t)n_keys, sizeof *keys, compare_i64);
    }
    v->n_frames = n;
    v->pts = pts;
    v->keys = keys;
    v->n_keys = n_keys;
    return VDIO_OK;
}

vdio_status vdio_open(const char *path, int32_t threads, vdio_video **out, char *errbuf, size_t errlen) {
    vdio_msg m = {errbuf, errlen};
    if (errbuf && errlen) errbuf[0] = '\0';
    if (out == NULL || path == NULL) return vdio_fail(m, VDIO_BAD_ARGUMENT, 0, "vdio_open: NULL argument");
    *out = NULL;
    if (threads < 0 || threads > 1024) return vdio_fail(m, VDIO_BAD_ARGUMENT, 0, "threads = %d; expected 0...1024", threads);
    struct stat st;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0)
        return vdio_fail(m, VDIO_NOT_FOUND, 0, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return vdio_fail(m, VDIO_BAD_ARGUMENT, 0, "%s: not a regular file", path);
    vdio_install_log();

    vdio_video *v = calloc(1, sizeof *v);
    if (v == NULL || (v->path = strdup(path)) == NULL) {
        free(v);
        return vdio_fail(m, VDIO_NO_MEMORY, 0, "out of memory");
    }
    v->threads = threads;
    vdio_status s = vdio_open_input(v, m);
    if (s == VDIO_OK) s = scan_timeline(v, m);
    if (s == VDIO_OK) s = vdio_open_input(v, m);  // back to the start for decoding
    if (s != VDIO_OK) {
        vdio_close(v);
        return s;
    }
    *out = v;
    return VDIO_OK;
}

vdio_status vdio_info(const vdio_video *v, int64_t *n_frames, int32_t *width, int32_t *height) {
    if (v == NULL) return VDIO_BAD_ARGUMENT;
    if (n_frames) *n_frames = v->n_frames;
    if (width) *width = v->width;
    if (height) *height = v->height;
    return VDIO_OK;
}

vdio_status vdio_frame_seconds(const vdio_video *v, int64_t index, double *seconds) {
    if (v == NULL || seconds == NULL || index < 0 || index >= v->n_frames) return VDIO_BAD_ARGUMENT;
    if (v->pts && v->time_base.den > 0)
        *seconds = (double)(v->pts[index] - v->pts[0]) * av_q2d(v->time_base);
    else if (v->frame_rate.num > 0 && v->frame_rate.den > 0)
        *seconds = (double)index / av_q2d(v->frame_rate);
    else
        *seconds = NAN;
    return VDIO_OK;
}

vdio_status vdio_declared_frames(const vdio_video *v, int64_t *declared) {
    if (v == NULL || declared == NULL) return VDIO_BAD_ARGUMENT;
    *declared = v->declared_frames;
    return VDIO_OK;
}

vdio_status vdio_stats(const vdio_video *v, int64_t *frames_decoded, int64_t *seeks, int64_t *restarts) {
    if (v == NULL) return VDIO_BAD_ARGUMENT;
    if (frames_decoded) *frames_decoded = v->frames_decoded;
    if (seeks) *seeks = v->seeks;
    if (restarts) *restarts = v->restarts;
    return VDIO_OK;
}

void vdio_close(vdio_video *v) {
    if (v == NULL) return;
    close_input(v);
    sws_freeContext(v->sws);
    av_freep(&v->rgb);
    free(v->pts);
    free(v->keys);
    free(v->path);
    free(v);
}
