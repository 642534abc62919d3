// Answer a question about raw RGB frames from C++, with RAII owners over the C handles.
//
//   c++ -std=c++17 -Iinclude examples/cpp/answer.cpp -L.build/release -lvideodistill
//       -Wl,-rpath,$PWD/.build/release -o answer_cpp   (one line)
//   ./answer_cpp MODEL.gguf FRAMES.rgb N_FRAMES HEIGHT WIDTH "what colour is the ball?"
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "videodistill.h"

namespace {

struct Deleter {
    void operator()(vd_model *m) const { vd_model_free(m); }
    void operator()(vd_video *v) const { vd_video_free(v); }
    void operator()(vd_result *r) const { vd_result_free(r); }
};
template <class T> using Owned = std::unique_ptr<T, Deleter>;

void check(vd_status status, const char *what) {
    if (status != VD_OK)
        throw std::runtime_error(std::string(what) + ": " + vd_status_string(status) + "\n  " + vd_last_error());
}

}  // namespace

int main(int argc, char **argv) try {
    if (argc != 7) {
        std::fprintf(stderr, "usage: %s MODEL.gguf FRAMES.rgb N_FRAMES HEIGHT WIDTH QUESTION\n", argv[0]);
        return 2;
    }
    const int n_frames = std::stoi(argv[3]), height = std::stoi(argv[4]), width = std::stoi(argv[5]);
    if (n_frames < 1 || height < 1 || width < 1) throw std::runtime_error("sizes must be positive");
    std::vector<unsigned char> rgb(size_t(n_frames) * size_t(height) * size_t(width) * 3);
    std::ifstream in(argv[2], std::ios::binary);
    if (!in.read(reinterpret_cast<char *>(rgb.data()), std::streamsize(rgb.size())))
        throw std::runtime_error(std::string("cannot read frames from ") + argv[2]);

    vd_model *m = nullptr;
    check(vd_model_load(argv[1], nullptr, &m), "vd_model_load");
    Owned<vd_model> model(m);

    vd_encode_params ep = vd_encode_default_params();
    ep.n_threads = 2;
    vd_video *v = nullptr;
    check(vd_encode_frames(model.get(), rgb.data(), n_frames, height, width, size_t(width) * 3, &ep, &v),
          "vd_encode_frames");
    Owned<vd_video> video(v);

    vd_answer_params ap = vd_answer_default_params();
    ap.n_threads = 2;
    vd_result *r = nullptr;
    check(vd_answer(model.get(), video.get(), argv[6], &ap, &r), "vd_answer");
    Owned<vd_result> result(r);
    std::printf("%s (%.4f)\n", vd_result_answer_text(result.get(), 0), vd_result_answer_probability(result.get(), 0));
    return 0;
} catch (const std::exception &e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
}
