// Shared between the reader's translation units: the open file and error helpers.
#pragma once

#include "onnx_reader.h"

#include <onnx/onnx_pb.h>  // defines ONNX_API, then includes onnx-ml.pb.h (ONNX_ML=1)

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

/// An open model: the parsed proto, the folder external data is relative to, and the
/// per-initializer facts computed and checked once at open time.
struct vd_onnx_file {
    onnx::ModelProto model;
    std::string directory;                     // folder of the model file, without trailing '/'
    std::vector<const onnx::TensorProto *> initializers;
    std::vector<size_t> n_elements;
};

namespace vd_onnx {

/// Every failure inside the reader; turned into the caller's message at the C boundary.
struct error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Writes `message` into `err` (NUL-terminated, truncated to `err_len`).
inline void report(const std::string &message, char *err, size_t err_len) {
    if (err == nullptr || err_len == 0) return;
    std::snprintf(err, err_len, "%s", message.c_str());
}

/// Copies `tensor`'s `count` values into `out` as float32 (external data resolved from `directory`).
void read_f32(const onnx::TensorProto &tensor, const std::string &directory, float *out, size_t count);

}  // namespace vd_onnx
