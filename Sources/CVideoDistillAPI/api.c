#include <stdio.h>
#include <string.h>

#include "CVideoDistillAPI.h"

#define VD_VERSION "0.1.0"
#define VD_MAX_ERROR 2048

static _Thread_local char last_error[VD_MAX_ERROR];

__attribute__((visibility("hidden"))) void vd_internal_set_last_error(const char *message) {
    if (message == NULL) { last_error[0] = '\0'; return; }
    size_t n = strlen(message);
    if (n >= VD_MAX_ERROR) {
        n = VD_MAX_ERROR - 1;
        while (n > 0 && (message[n] & 0xC0) == 0x80) n--; /* keep whole UTF-8 sequences */
    }
    memcpy(last_error, message, n);
    last_error[n] = '\0';
}

const char *vd_last_error(void) { return last_error; }

const char *vd_version(void) { return VD_VERSION; }

const char *vd_status_string(vd_status status) {
    switch (status) {
    case VD_OK: return "VD_OK: success";
    case VD_ERR_NULL_POINTER: return "VD_ERR_NULL_POINTER: a required pointer was NULL";
    case VD_ERR_INVALID_ARGUMENT: return "VD_ERR_INVALID_ARGUMENT: an argument is out of range";
    case VD_ERR_INVALID_TEXT: return "VD_ERR_INVALID_TEXT: text is not valid UTF-8";
    case VD_ERR_NON_FINITE: return "VD_ERR_NON_FINITE: pixels hold NaN or infinity";
    case VD_ERR_IO: return "VD_ERR_IO: a file could not be read";
    case VD_ERR_MODEL_FILE: return "VD_ERR_MODEL_FILE: the model file is malformed";
    case VD_ERR_MISSING_HEAD: return "VD_ERR_MISSING_HEAD: the model lacks the head this call needs";
    case VD_ERR_WRONG_MODEL: return "VD_ERR_WRONG_MODEL: the video was encoded by another model";
    case VD_ERR_NUMERICAL: return "VD_ERR_NUMERICAL: NaN in the selection logits";
    case VD_ERR_ABORTED: return "VD_ERR_ABORTED: stopped by the abort callback";
    case VD_ERR_INTERNAL: return "VD_ERR_INTERNAL: internal error";
    case VD_ERR_NOT_FOUND: return "VD_ERR_NOT_FOUND: the video file or folder does not exist";
    case VD_ERR_UNDECODABLE: return "VD_ERR_UNDECODABLE: the video cannot be decoded";
    case VD_ERR_NO_FRAMES: return "VD_ERR_NO_FRAMES: the video holds no frames";
    case VD_ERR_VIDEO_FILE: return "VD_ERR_VIDEO_FILE: the encoded-video file is malformed";
    }
    return "VD_ERR_UNKNOWN: unknown status";
}

vd_model_params vd_model_default_params(void) {
    vd_model_params p;
    memset(&p, 0, sizeof p);
    return p;
}

vd_encode_params vd_encode_default_params(void) {
    vd_encode_params p;
    memset(&p, 0, sizeof p);
    p.n_threads = 1;
    return p;
}

vd_answer_params vd_answer_default_params(void) {
    vd_answer_params p;
    memset(&p, 0, sizeof p);
    p.n_threads = 1;
    p.top_k = 5;
    return p;
}
