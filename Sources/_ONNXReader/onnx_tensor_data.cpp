// An initializer's values as float32: raw_data, typed fields, or external data files.

#include "onnx_reader_internal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace {

using vd_onnx::error;

size_t element_size(int32_t type) {
    switch (type) {
        case VD_ONNX_FLOAT: return 4;
        case VD_ONNX_FLOAT16: case VD_ONNX_BFLOAT16: return 2;
        case VD_ONNX_DOUBLE: return 8;
        default: return 0;
    }
}

/// IEEE half (binary16) bits to float.
float half_to_float(uint16_t h) {
    int sign = (h >> 15) ? -1 : 1;
    int exponent = (h >> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
    if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
    return sign * std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
}

float bfloat16_to_float(uint16_t b) {
    uint32_t bits = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

/// Converts `count` little-endian values of `type` at `bytes` into float32.
void convert(const unsigned char *bytes, int32_t type, float *out, size_t count) {
    for (size_t i = 0; i < count; i++) {
        switch (type) {
            case VD_ONNX_FLOAT: std::memcpy(&out[i], bytes + 4 * i, 4); break;
            case VD_ONNX_DOUBLE: { double d; std::memcpy(&d, bytes + 8 * i, 8); out[i] = static_cast<float>(d); break; }
            case VD_ONNX_FLOAT16: case VD_ONNX_BFLOAT16: {
                uint16_t h;
                std::memcpy(&h, bytes + 2 * i, 2);
                out[i] = type == VD_ONNX_FLOAT16 ? half_to_float(h) : bfloat16_to_float(h);
                break;
            }
        }
    }
}

/// A decimal string of digits only, without overflow.
uint64_t parse_size(const std::string &s, const std::string &what) {
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
        throw error(what + " is not a byte count: \"" + s + "\"");
    return std::strtoull(s.c_str(), nullptr, 10);
}

/// `location` resolved inside `directory`, refusing absolute paths, `..` and escapes through links.
std::string resolve(const std::string &directory, const std::string &location, const std::string &name) {
    if (location.empty() || location.find('\0') != std::string::npos || location[0] == '/')
        throw error("initializer " + name + ": external data location \"" + location + "\" must be a relative path");
    size_t start = 0;
    while (start <= location.size()) {
        size_t end = location.find('/', start);
        if (end == std::string::npos) end = location.size();
        if (location.compare(start, end - start, "..") == 0 && end - start == 2)
            throw error("initializer " + name + ": external data location \"" + location + "\" contains ..");
        start = end + 1;
    }
    std::string full = directory + "/" + location;
    char dir_real[PATH_MAX], full_real[PATH_MAX];
    if (realpath(directory.c_str(), dir_real) == nullptr || realpath(full.c_str(), full_real) == nullptr)
        throw error("initializer " + name + ": external data file " + full + " cannot be found");
    std::string inside = std::string(dir_real) + (std::strcmp(dir_real, "/") == 0 ? "" : "/");
    if (std::strncmp(full_real, inside.c_str(), inside.size()) != 0)
        throw error("initializer " + name + ": external data file " + full + " lies outside the model's folder");
    return full_real;
}

/// Reads `length` bytes at `offset` of the external file, checking the range against its size.
std::string read_external(const onnx::TensorProto &t, const std::string &directory, uint64_t expected) {
    std::string location;
    uint64_t offset = 0, length = expected;
    bool has_length = false;
    for (const onnx::StringStringEntryProto &e : t.external_data()) {
        if (e.key() == "location") location = e.value();
        else if (e.key() == "offset") offset = parse_size(e.value(), "initializer " + t.name() + " offset");
        else if (e.key() == "length") { length = parse_size(e.value(), "initializer " + t.name() + " length"); has_length = true; }
    }
    if (has_length && length != expected)
        throw error("initializer " + t.name() + ": external length " + std::to_string(length) + " is not the " +
                    std::to_string(expected) + " bytes its shape needs");
    std::string path = resolve(directory, location, t.name());
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw error("initializer " + t.name() + ": cannot open " + path + ": " + std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        throw error("initializer " + t.name() + ": " + path + " is not a regular file");
    }
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (offset > size || length > size - offset) {
        close(fd);
        throw error("initializer " + t.name() + ": bytes " + std::to_string(offset) + "+" + std::to_string(length) +
                    " lie outside " + path + " (" + std::to_string(size) + " bytes)");
    }
    std::string bytes(length, '\0');
    size_t done = 0;
    while (done < length) {
        ssize_t n = pread(fd, &bytes[done], length - done, static_cast<off_t>(offset + done));
        if (n <= 0) {
            close(fd);
            throw error("initializer " + t.name() + ": cannot read " + path);
        }
        done += static_cast<size_t>(n);
    }
    close(fd);
    return bytes;
}

}  // namespace

void vd_onnx::read_f32(const onnx::TensorProto &t, const std::string &directory, float *out, size_t count) {
    const int32_t type = t.data_type();
    const size_t size = element_size(type);
    if (size == 0)
        throw error("initializer " + t.name() + " has data type " + std::to_string(type) + ", not a floating type");
    if (count > SIZE_MAX / size) throw error("initializer " + t.name() + " is too large");
    const size_t bytes = count * size;
    auto from_bytes = [&](const std::string &raw, const char *where) {
        if (raw.size() != bytes)
            throw error("initializer " + t.name() + " has " + std::to_string(raw.size()) + " bytes of " + where +
                        ", its shape needs " + std::to_string(bytes));
        convert(reinterpret_cast<const unsigned char *>(raw.data()), type, out, count);
    };
    auto typed_count = [&](int n) {
        if (static_cast<size_t>(n) != count)
            throw error("initializer " + t.name() + " holds " + std::to_string(n) + " values, its shape needs " +
                        std::to_string(count));
    };

    if (t.data_location() == onnx::TensorProto::EXTERNAL) {
        from_bytes(read_external(t, directory, bytes), "external data");
    } else if (t.has_raw_data()) {
        from_bytes(t.raw_data(), "raw_data");
    } else if (type == VD_ONNX_FLOAT) {
        typed_count(t.float_data_size());
        for (size_t i = 0; i < count; i++) out[i] = t.float_data(static_cast<int>(i));
    } else if (type == VD_ONNX_DOUBLE) {
        typed_count(t.double_data_size());
        for (size_t i = 0; i < count; i++) out[i] = static_cast<float>(t.double_data(static_cast<int>(i)));
    } else {  // FLOAT16, BFLOAT16: one 16-bit pattern per int32_data entry
        typed_count(t.int32_data_size());
        for (size_t i = 0; i < count; i++) {
            int32_t v = t.int32_data(static_cast<int>(i));
            if (v < 0 || v > 0xffff) throw error("initializer " + t.name() + " holds a 16-bit value out of range");
            uint16_t h = static_cast<uint16_t>(v);
            out[i] = type == VD_ONNX_FLOAT16 ? half_to_float(h) : bfloat16_to_float(h);
        }
    }
}
