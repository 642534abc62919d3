/* Reading frames by index: decode forward, seek to a keyframe when one lies ahead, match by timestamp. */
#include <string.h>

#include "video_io_internal.h"

/// Decode errors in a row after which a stream counts as undecodable.
enum { MAX_ERRORS_IN_A_ROW = 64 };

/// The next frame out of the decoder into v->frame: VDIO_OK, or VDIO_UNDECODABLE at the end of the
/// stream (*ended = 1, no message) or on a hard error (message written).
static vdio_status decode_next(vdio_video *v, int *ended, vdio_msg m) {
    char e[128];
    int errors = 0;
    *ended = 0;
    for (;;) {
        int r = avcodec_receive_frame(v->dec, v->frame);
        if (r == 0) {
            v->frames_decoded++;
            v->at_start = 0;
            return VDIO_OK;
        }
        if (r == AVERROR_EOF || (r == AVERROR(EAGAIN) && v->flushed)) {
            *ended = 1;
            return VDIO_UNDECODABLE;
        }
        if (r != AVERROR(EAGAIN) && ++errors > MAX_ERRORS_IN_A_ROW)
            return vdio_fail(m, VDIO_UNDECODABLE, 1, "%s: decoding failed: %s", v->path, vdio_av_error(r, e, sizeof e));
        if (r != AVERROR(EAGAIN)) continue;
        // The decoder wants input: the next packet of our stream, or the end of the stream. A read error
        // (a truncated or damaged file) ends the stream like its end does.
        r = av_read_frame(v->fmt, v->pkt);
        if (r < 0) {
            avcodec_send_packet(v->dec, NULL);
            v->flushed = 1;
            continue;
        }
        if (v->pkt->stream_index == v->stream) {
            r = avcodec_send_packet(v->dec, v->pkt);
            // A damaged packet is skipped (its frame will be missing, which the caller notices).
            if (r < 0 && r != AVERROR(EAGAIN) && ++errors > MAX_ERRORS_IN_A_ROW) {
                av_packet_unref(v->pkt);
                return vdio_fail(m, VDIO_UNDECODABLE, 1, "%s: decoding failed: %s", v->path, vdio_av_error(r, e, sizeof e));
            }
        }
        av_packet_unref(v->pkt);
    }
}

/// Index of the last keyframe timestamp <= t, or -1.
static int64_t key_at_or_before(const vdio_video *v, int64_t t) {
    int64_t lo = 0, hi = v->n_keys;  // keys[0..lo) <= t < keys[hi..)
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (v->keys[mid] <= t) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
}

/// Puts the decoder where decoding forward reaches timestamp t soonest.
static vdio_status position_for(vdio_video *v, int64_t t, vdio_msg m) {
    int64_t k = key_at_or_before(v, t);
    int behind = v->have_last ? v->last_pts >= t : !v->at_start;
    if (k < 0) return behind ? vdio_restart(v, m) : VDIO_OK;  // no keyframe before t: decode from the start
    int key_ahead = v->have_last ? v->keys[k] > v->last_pts : (!v->at_start || k > 0);
    if (!behind && !key_ahead) return VDIO_OK;  // decoding forward reaches t with no keyframe in between
    if (k == 0) return v->at_start ? VDIO_OK : vdio_restart(v, m);
    v->seeks++;
    if (av_seek_frame(v->fmt, v->stream, v->keys[k], AVSEEK_FLAG_BACKWARD) < 0) return vdio_restart(v, m);
    avcodec_flush_buffers(v->dec);
    v->have_last = 0;
    v->flushed = 0;
    v->at_start = 0;
    return VDIO_OK;
}

/// Frame `index` (timestamp mode) into v->frame.
static vdio_status find_by_timestamp(vdio_video *v, int64_t index, vdio_msg m) {
    const int64_t t = v->pts[index];
    vdio_status s = position_for(v, t, m);
    for (int tries = v->at_start; s == VDIO_OK; tries++) {
        // Decode forward until timestamp t, or past it.
        int ended = 0;
        while ((s = decode_next(v, &ended, m)) == VDIO_OK) {
            int64_t p = v->frame->best_effort_timestamp;
            if (p == AV_NOPTS_VALUE) continue;
            v->have_last = 1;
            v->last_pts = p;
            if (p == t) return VDIO_OK;
            if (p > t) break;
        }
        if (s != VDIO_OK && !ended) return s;
        // Past t, or at the end, without meeting it. A seek may have landed after t: once more from the start.
        if (tries >= 1)
            return vdio_fail(m, VDIO_UNDECODABLE, 1, "%s: frame %lld of %lld (timestamp %lld) could not be decoded",
                             v->path, (long long)index, (long long)v->n_frames, (long long)t);
        s = vdio_restart(v, m);
    }
    return s;
}

/// Frame `index` (ordinal mode: frames counted in decoder output order) into v->frame.
static vdio_status find_by_ordinal(vdio_video *v, int64_t index, vdio_msg m) {
    if (index < v->next_ordinal) {
        vdio_status s = vdio_restart(v, m);
        if (s != VDIO_OK) return s;
    }
    for (;;) {
        int ended;
        vdio_status s = decode_next(v, &ended, m);
        if (s != VDIO_OK)
            return ended ? vdio_fail(m, VDIO_UNDECODABLE, 1, "%s: the video ended after %lld decoded frames, before frame %lld of %lld",
                                     v->path, (long long)v->next_ordinal, (long long)index, (long long)v->n_frames)
                         : s;
        if (v->next_ordinal++ == index) return VDIO_OK;
    }
}

vdio_status vdio_read_frames(vdio_video *v, const int64_t *indices, int32_t count, uint8_t *rgb_out,
                             size_t out_size, vdio_progress_fn progress, void *user, char *errbuf, size_t errlen) {
    vdio_msg m = {errbuf, errlen};
    if (errbuf && errlen) errbuf[0] = '\0';
    if (v == NULL || (count > 0 && (indices == NULL || rgb_out == NULL)) || count < 0)
        return vdio_fail(m, VDIO_BAD_ARGUMENT, 0, "vdio_read_frames: NULL handle or buffer, or count < 0");
    // Sizes were checked at open (each side <= VDIO_MAX_SIDE), so a frame's bytes fit size_t.
    size_t frame = (size_t)v->width * (size_t)v->height * 3;
    if ((size_t)count > SIZE_MAX / frame || out_size < (size_t)count * frame)
        return vdio_fail(m, VDIO_BAD_ARGUMENT, 0, "vdio_read_frames: %d frames of %d x %d need %zu bytes, %zu given",
                         count, v->width, v->height, (size_t)count > SIZE_MAX / frame ? SIZE_MAX : (size_t)count * frame, out_size);
    for (int32_t j = 0; j < count; j++) {
        int64_t i = indices[j];
        if (i < 0 || i >= v->n_frames)
            return vdio_fail(m, VDIO_BAD_ARGUMENT, 0, "frame index %lld is out of range 0..<%lld", (long long)i,
                             (long long)v->n_frames);
        uint8_t *out = rgb_out + (size_t)j * frame;
        if (j > 0 && indices[j - 1] == i) {
            memcpy(out, out - frame, frame);  // a repeat: the decoder has moved past it
        } else {
            vdio_clear_log();
            vdio_status s = v->pts ? find_by_timestamp(v, i, m) : find_by_ordinal(v, i, m);
            if (s == VDIO_OK) s = vdio_convert(v, out, m);
            av_frame_unref(v->frame);
            if (s != VDIO_OK) return s;
        }
        if (progress && progress(user, j + 1, count) != 0)
            return vdio_fail(m, VDIO_ABORTED, 0, "stopped by the progress callback");
    }
    return VDIO_OK;
}
