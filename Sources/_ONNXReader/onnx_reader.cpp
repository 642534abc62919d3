// Opening an ONNX file and listing its initializers and metadata (onnx_reader.h).

#include "onnx_reader_internal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>

namespace {

/// Parses `path` straight from the file (no second copy of a large model in memory). An empty file is an
/// error: it would parse as an empty model.
void parse_file(const std::string &path, onnx::ModelProto &model) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw vd_onnx::error("cannot open " + path + ": " + std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        throw vd_onnx::error(path + " is not a regular file");
    }
    if (st.st_size == 0) {
        close(fd);
        throw vd_onnx::error(path + " is empty, not an ONNX model");
    }
    // protobuf parses at most INT_MAX bytes; larger models keep their weights as external data.
    if (static_cast<uint64_t>(st.st_size) > static_cast<uint64_t>(INT_MAX)) {
        close(fd);
        throw vd_onnx::error(path + " is over 2 GiB; export it with external data");
    }
    bool ok;
    {
        google::protobuf::io::FileInputStream in(fd);
        ok = model.ParseFromZeroCopyStream(&in) && in.GetErrno() == 0;
    }
    close(fd);
    if (!ok) throw vd_onnx::error(path + " does not parse as an ONNX model");
}

std::string folder_of(const std::string &path) {
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

bool has_nul(const std::string &s) { return s.find('\0') != std::string::npos; }

/// Most elements an initializer can be given when its stored data holds `bytes` bytes: no ONNX type packs more
/// than 8 elements in a byte, plus a slack of 2^20 so that data found wrong only at read time (missing external
/// file, short raw_data) still opens and fails with its own message there.
uint64_t element_limit(uint64_t bytes) {
    const uint64_t slack = uint64_t(1) << 20, most = static_cast<uint64_t>(INT64_MAX);
    return bytes > (most - slack) / 8 ? most : 8 * bytes + slack;
}

/// Bytes the initializer stores: its raw and typed fields, or for external data the `length` entry or else the
/// size of the named file (0 when neither is known; the read checks the data itself).
uint64_t stored_bytes(const onnx::TensorProto &t, const std::string &directory) {
    uint64_t n = t.raw_data().size();
    n += 4 * uint64_t(t.float_data_size()) + 4 * uint64_t(t.int32_data_size());
    n += 8 * (uint64_t(t.double_data_size()) + uint64_t(t.int64_data_size()) + uint64_t(t.uint64_data_size()));
    for (const std::string &s : t.string_data()) n += s.size() + 1;
    if (t.data_location() != onnx::TensorProto::EXTERNAL) return n;
    std::string location, length;
    for (const onnx::StringStringEntryProto &e : t.external_data()) {
        if (e.key() == "location") location = e.value();
        else if (e.key() == "length") length = e.value();
    }
    if (!length.empty() && length.size() <= 19 && length.find_first_not_of("0123456789") == std::string::npos)
        return n + std::strtoull(length.c_str(), nullptr, 10);
    struct stat st;
    if (!location.empty() && !has_nul(location) && stat((directory + "/" + location).c_str(), &st) == 0)
        return n + static_cast<uint64_t>(st.st_size);
    return n;
}

/// Checks dims and records each initializer's element count.
/// Callers allocate from the element counts before reading, so a count the stored data cannot back (a few bytes
/// declaring [2^20, 2^20]) is refused here, as is any count beyond INT64_MAX.
void index_initializers(vd_onnx_file &f, const std::string &path) {
    const onnx::GraphProto &g = f.model.graph();
    if (g.sparse_initializer_size() > 0) throw vd_onnx::error(path + ": sparse initializers are not supported");
    std::set<std::string> names;
    for (const onnx::TensorProto &t : g.initializer()) {
        const std::string &name = t.name();
        if (name.empty() || has_nul(name)) throw vd_onnx::error(path + ": an initializer has an empty or invalid name");
        if (!names.insert(name).second) throw vd_onnx::error(path + ": initializer " + name + " appears twice");
        size_t n = 1;
        for (int64_t d : t.dims()) {
            if (d < 0) throw vd_onnx::error(path + ": initializer " + name + " has a negative dim");
            if (d != 0 && n > SIZE_MAX / static_cast<uint64_t>(d))
                throw vd_onnx::error(path + ": initializer " + name + " has too many elements");
            n *= static_cast<size_t>(d);
        }
        if (static_cast<uint64_t>(n) > element_limit(stored_bytes(t, f.directory)))
            throw vd_onnx::error(path + ": initializer " + name + " declares " + std::to_string(n) +
                                 " elements, more than its stored data can hold");
        f.initializers.push_back(&t);
        f.n_elements.push_back(n);
    }
    for (const onnx::StringStringEntryProto &p : f.model.metadata_props()) {
        if (has_nul(p.key()) || has_nul(p.value()))
            throw vd_onnx::error(path + ": metadata entry " + p.key().c_str() + " holds a NUL byte");
    }
}

}  // namespace

extern "C" vd_onnx_file *vd_onnx_open(const char *path, char *err, size_t err_len) {
    try {
        if (path == nullptr) throw vd_onnx::error("no path given");
        auto f = std::make_unique<vd_onnx_file>();
        parse_file(path, f->model);
        if (!f->model.has_graph()) throw vd_onnx::error(std::string(path) + " holds no graph");
        f->directory = folder_of(path);
        index_initializers(*f, path);
        return f.release();
    } catch (const std::exception &e) {
        vd_onnx::report(e.what(), err, err_len);
    } catch (...) {
        vd_onnx::report("unknown error while opening an ONNX file", err, err_len);
    }
    return nullptr;
}

extern "C" void vd_onnx_close(vd_onnx_file *f) { delete f; }

extern "C" size_t vd_onnx_initializer_count(const vd_onnx_file *f) {
    return f == nullptr ? 0 : f->initializers.size();
}

extern "C" int vd_onnx_initializer_info(const vd_onnx_file *f, size_t index, vd_onnx_initializer *out) {
    if (f == nullptr || out == nullptr || index >= f->initializers.size()) return -1;
    const onnx::TensorProto &t = *f->initializers[index];
    out->name = t.name().c_str();
    out->data_type = t.data_type();
    out->n_dims = static_cast<size_t>(t.dims_size());
    out->dims = t.dims().data();
    out->n_elements = f->n_elements[index];
    out->is_external = t.data_location() == onnx::TensorProto::EXTERNAL;
    return 0;
}

extern "C" int vd_onnx_initializer_read_f32(const vd_onnx_file *f, size_t index, float *out, size_t count,
                                            char *err, size_t err_len) {
    try {
        if (f == nullptr || index >= f->initializers.size()) throw vd_onnx::error("initializer index out of range");
        const onnx::TensorProto &t = *f->initializers[index];
        if (count != f->n_elements[index])
            throw vd_onnx::error("initializer " + t.name() + " has " + std::to_string(f->n_elements[index]) +
                                 " values, not " + std::to_string(count));
        if (out == nullptr && count > 0) throw vd_onnx::error("no output buffer");
        vd_onnx::read_f32(t, f->directory, out, count);
        return 0;
    } catch (const std::exception &e) {
        vd_onnx::report(e.what(), err, err_len);
    } catch (...) {
        vd_onnx::report("unknown error while reading an initializer", err, err_len);
    }
    return -1;
}

extern "C" size_t vd_onnx_metadata_count(const vd_onnx_file *f) {
    return f == nullptr ? 0 : static_cast<size_t>(f->model.metadata_props_size());
}

extern "C" int vd_onnx_metadata(const vd_onnx_file *f, size_t index, const char **key, const char **value) {
    if (f == nullptr || key == nullptr || value == nullptr ||
        index >= static_cast<size_t>(f->model.metadata_props_size()))
        return -1;
    const onnx::StringStringEntryProto &p = f->model.metadata_props(static_cast<int>(index));
    *key = p.key().c_str();
    *value = p.value().c_str();
    return 0;
}
