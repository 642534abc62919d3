/*
 * onnx_reader.h: the initializers and metadata of an ONNX model file, for convert-weights.
 *
 * Usage:
 *
 *     char err[512];
 *     vd_onnx_file *f = vd_onnx_open("answerer.onnx", err, sizeof err);
 *     if (!f) { puts(err); return; }
 *     for (size_t i = 0; i < vd_onnx_initializer_count(f); i++) {
 *         vd_onnx_initializer t;
 *         vd_onnx_initializer_info(f, i, &t);
 *         float *x = malloc(t.n_elements * sizeof(float));
 *         if (vd_onnx_initializer_read_f32(f, i, x, t.n_elements, err, sizeof err) != 0) puts(err);
 *     }
 *     vd_onnx_close(f);
 *
 * Errors: functions that can fail return NULL or -1 and write a NUL-terminated message into the
 * caller's `err` buffer (truncated to `err_len`; nothing is written when `err_len` is 0). No C++
 * exception ever leaves this interface.
 *
 * Thread-safety: an open file is read-only; any number of threads may call the functions below on it
 * at once. Strings and dims handed out stay valid until `vd_onnx_close`.
 */
#ifndef VD_ONNX_READER_H
#define VD_ONNX_READER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An opened, parsed ONNX model. */
typedef struct vd_onnx_file vd_onnx_file;

/** ONNX TensorProto.DataType values the reader converts to float32. */
enum {
    VD_ONNX_FLOAT = 1,
    VD_ONNX_FLOAT16 = 10,
    VD_ONNX_DOUBLE = 11,
    VD_ONNX_BFLOAT16 = 16,
};

/** One top-level graph initializer. */
typedef struct vd_onnx_initializer {
    const char *name;       /* UTF-8, valid until close */
    int32_t data_type;      /* TensorProto.DataType (1 = FLOAT, 7 = INT64, ...) */
    size_t n_dims;
    const int64_t *dims;    /* n_dims values, each >= 0, outermost first; valid until close */
    size_t n_elements;      /* product of dims (1 for a scalar) */
    int is_external;        /* 1 when the data lives in an external file */
} vd_onnx_initializer;

/**
 * Reads and parses `path`. Refuses: an empty or unreadable file, one that does not parse as a
 * ModelProto or has no graph, sparse initializers, duplicate initializer names, negative dims or an
 * element count that overflows. Returns NULL on failure.
 */
vd_onnx_file *vd_onnx_open(const char *path, char *err, size_t err_len);

/** Frees everything `f` owns. NULL is allowed. */
void vd_onnx_close(vd_onnx_file *f);

/** Number of top-level graph initializers. */
size_t vd_onnx_initializer_count(const vd_onnx_file *f);

/** Describes initializer `index`. Returns 0, or -1 when `index` is out of range. */
int vd_onnx_initializer_info(const vd_onnx_file *f, size_t index, vd_onnx_initializer *out);

/**
 * Copies initializer `index` into `out` as float32, converting FLOAT16, BFLOAT16 and DOUBLE. The
 * data may be in `raw_data`, in the typed field (`float_data`, `double_data`, `int32_data` for 16-bit
 * types) or in an external file named relative to the model's folder (absolute paths, `..` and
 * anything resolving outside that folder are refused; offset and length are checked against the
 * file's size). `count` must equal the initializer's `n_elements`, and the stored data must hold
 * exactly that many values. Returns 0 or -1.
 */
int vd_onnx_initializer_read_f32(const vd_onnx_file *f, size_t index, float *out, size_t count,
                                 char *err, size_t err_len);

/** Number of `metadata_props` entries of the model. */
size_t vd_onnx_metadata_count(const vd_onnx_file *f);

/** Key and value of metadata entry `index` (valid until close). Returns 0, or -1 when out of range. */
int vd_onnx_metadata(const vd_onnx_file *f, size_t index, const char **key, const char **value);

#ifdef __cplusplus
}
#endif

#endif /* VD_ONNX_READER_H */
