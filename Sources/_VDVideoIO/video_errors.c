/* Messages: libav error codes as text, and libav's own log lines kept per thread instead of printed. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/log.h>

#include <libavutil/mem.h>

#include "video_io_internal.h"

// The last line libav logged at error level or worse on this thread.
static _Thread_local char last_log[256];

static void capture_log(void *avcl, int level, const char *fmt, va_list args) {
    (void)avcl;
    if (level > AV_LOG_ERROR) return;
    char line[256];
    vsnprintf(line, sizeof line, fmt, args);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    if (n > 0) memcpy(last_log, line, n + 1);
}

static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void install(void) {
    av_log_set_callback(capture_log);
    // A hostile file can make a demuxer ask for huge tables (the fuzz target found the mov demuxer asking for
    // 1 GiB from a 7 KB file): no single libav allocation may exceed VDIO_MAX_ALLOC (256 MiB).
    av_max_alloc(VDIO_MAX_ALLOC);
}

void vdio_install_log(void) { pthread_once(&log_once, install); }

void vdio_clear_log(void) { last_log[0] = '\0'; }

const char *vdio_av_error(int code, char *buf, size_t len) {
    if (av_strerror(code, buf, len) < 0) snprintf(buf, len, "libav error %d", code);
    return buf;
}

vdio_status vdio_fail(vdio_msg m, vdio_status status, int with_libav, const char *fmt, ...) {
    if (m.buf == NULL || m.len == 0) return status;
    va_list args;
    va_start(args, fmt);
    vsnprintf(m.buf, m.len, fmt, args);
    va_end(args);
    if (with_libav && last_log[0] != '\0') {
        size_t used = strlen(m.buf);
        if (used < m.len) snprintf(m.buf + used, m.len - used, " (libav: %s)", last_log);
    }
    return status;
}
