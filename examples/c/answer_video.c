/* Answer a question about a video file with libvideodistill_video (the core library plus video files).
 *
 *   cc -std=c99 -Iinclude examples/c/answer_video.c -L.build/release -lvideodistill_video \
 *      -Wl,-rpath,$PWD/.build/release -o answer_video
 *   ./answer_video examples/models/shapesqa.gguf examples/videos/example_0.mp4 "what colour is the shape that flashed?"
 *
 * Only the frames the model samples are decoded; each selected frame is printed with its time in the video. */
#include <stdio.h>

#include "videodistill_video.h"

static int fail(const char *what, vd_status status) {
    fprintf(stderr, "%s failed: %s\n  %s\n", what, vd_status_string(status), vd_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s MODEL.gguf VIDEO QUESTION\n", argv[0]);
        return 2;
    }
    vd_model *model = NULL;
    vd_status st = vd_model_load(argv[1], NULL, &model);
    if (st != VD_OK) return fail("vd_model_load", st);

    vd_video *video = NULL;
    vd_video_file_params vp = vd_video_file_default_params();
    vp.n_threads = 2;
    vd_video_file_info info;
    st = vd_encode_video_file(model, argv[2], &vp, &video, &info);
    if (st != VD_OK) return fail("vd_encode_video_file", st);
    printf("video: %lld frames, %d x %d", (long long)info.frame_count, info.width, info.height);
    if (info.replaced_frames > 0) printf(", %d sampled frames replaced (undecodable)", info.replaced_frames);
    printf("\n");

    vd_answer_params ap = vd_answer_default_params();
    ap.n_threads = 2;
    ap.top_k = 3;
    vd_result *result = NULL;
    st = vd_answer(model, video, argv[3], &ap, &result);
    if (st != VD_OK) return fail("vd_answer", st);
    for (int32_t r = 0; r < vd_result_top_k(result); r++)
        printf("%d. %s (%.4f)\n", r + 1, vd_result_answer_text(result, r), vd_result_answer_probability(result, r));
    int32_t k = 0;
    const int32_t *samples = vd_result_selected_samples(result, &k);
    printf("selected frames:");
    for (int32_t i = 0; i < k; i++)
        printf(" %d (%.2f s)", vd_video_source_frame(video, samples[i]), vd_video_source_seconds(video, samples[i]));
    printf("\n");

    vd_result_free(result);
    vd_video_free(video);
    vd_model_free(model);
    return 0;
}
