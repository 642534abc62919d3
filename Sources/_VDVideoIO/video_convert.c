/* A decoded frame -> RGB24 at the frame's own size, with the colour matrix and range the frame declares. */
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>

#include "video_io_internal.h"

/// Tells swscale the source's YUV matrix (BT.601 when unspecified, as libav does) and range.
static void set_colorspace(struct SwsContext *sws, const AVFrame *f) {
    int *inv_table, src_range, *table, dst_range, brightness, contrast, saturation;
    if (sws_getColorspaceDetails(sws, &inv_table, &src_range, &table, &dst_range, &brightness, &contrast,
                                 &saturation) < 0)
        return;  // not a YUV source: nothing to set
    int space = f->colorspace == AVCOL_SPC_UNSPECIFIED ? SWS_CS_DEFAULT : (int)f->colorspace;
    if (f->color_range == AVCOL_RANGE_JPEG) src_range = 1;
    sws_setColorspaceDetails(sws, sws_getCoefficients(space), src_range, table, dst_range, brightness, contrast,
                             saturation);
}

/// Copies the RGB picture `in` (w x h, rows `linesize` apart) to `out` turned `quarters` times clockwise:
/// out is w x h for 0 and 2 quarter turns, h x w for 1 and 3, rows packed.
static void rotate_out(uint8_t *out, const uint8_t *in, int linesize, int w, int h, int quarters) {
    if (quarters == 0) {
        for (int y = 0; y < h; y++) memcpy(out + (size_t)y * w * 3, in + (size_t)y * linesize, (size_t)w * 3);
        return;
    }
    const int out_w = quarters == 2 ? w : h, out_h = quarters == 2 ? h : w;
    for (int r = 0; r < out_h; r++) {
        for (int c = 0; c < out_w; c++) {
            // The source pixel (x, y) that lands on output row r, column c.
            int x = quarters == 1 ? r : quarters == 2 ? w - 1 - c : w - 1 - r;
            int y = quarters == 1 ? h - 1 - c : quarters == 2 ? h - 1 - r : c;
            memcpy(out + ((size_t)r * out_w + c) * 3, in + (size_t)y * linesize + (size_t)x * 3, 3);
        }
    }
}

vdio_status vdio_convert(vdio_video *v, uint8_t *out, vdio_msg m) {
    const AVFrame *f = v->frame;
    if (f->width != v->coded_width || f->height != v->coded_height)
        return vdio_fail(m, VDIO_UNDECODABLE, 0, "%s: a frame is %d x %d but the video is %d x %d", v->path,
                         f->width, f->height, v->coded_width, v->coded_height);
    if (f->format < 0 || av_pix_fmt_desc_get((enum AVPixelFormat)f->format) == NULL)
        return vdio_fail(m, VDIO_UNDECODABLE, 0, "%s: a frame has no pixel format", v->path);
    const int w = v->coded_width, h = v->coded_height;
    // Bit-exact chroma and rounding: lossless RGB sources convert to exactly their values.
    const int flags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP | SWS_BITEXACT;
    v->sws = sws_getCachedContext(v->sws, w, h, (enum AVPixelFormat)f->format, w, h, AV_PIX_FMT_RGB24, flags,
                                  NULL, NULL, NULL);
    if (v->sws == NULL)
        return vdio_fail(m, VDIO_UNDECODABLE, 1, "%s: cannot convert pixel format %s to RGB", v->path,
                         av_get_pix_fmt_name((enum AVPixelFormat)f->format));
    set_colorspace(v->sws, f);
    // Scale into an aligned picture (swscale's SIMD paths prefer it), then copy the rows out.
    if (v->rgb == NULL) {
        uint8_t *data[4];
        int linesize[4];
        if (av_image_alloc(data, linesize, w, h, AV_PIX_FMT_RGB24, 64) < 0)
            return vdio_fail(m, VDIO_NO_MEMORY, 0, "out of memory for a %d x %d frame", w, h);
        v->rgb = data[0];
        v->rgb_linesize = linesize[0];
    }
    uint8_t *dst[4] = {v->rgb, NULL, NULL, NULL};
    int dst_linesize[4] = {v->rgb_linesize, 0, 0, 0};
    int rows = sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, h, dst, dst_linesize);
    if (rows != h) return vdio_fail(m, VDIO_UNDECODABLE, 1, "%s: converting a frame to RGB failed", v->path);
    rotate_out(out, v->rgb, v->rgb_linesize, w, h, v->rotation);
    return VDIO_OK;
}
