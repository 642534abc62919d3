/* Answer a question about raw RGB frames with libvideodistill.
 *
 *   cc -std=c99 -Iinclude examples/c/answer.c -L.build/release -lvideodistill \
 *      -Wl,-rpath,$PWD/.build/release -o answer
 *   ./answer MODEL.gguf FRAMES.rgb N_FRAMES HEIGHT WIDTH "what colour is the ball?"
 *
 * FRAMES.rgb holds N_FRAMES frames of HEIGHT x WIDTH interleaved uint8 RGB, back to back. */
#include <stdio.h>
#include <stdlib.h>

#include "videodistill.h"

static int fail(const char *what, vd_status status) {
    fprintf(stderr, "%s failed: %s\n  %s\n", what, vd_status_string(status), vd_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s MODEL.gguf FRAMES.rgb N_FRAMES HEIGHT WIDTH QUESTION\n", argv[0]);
        return 2;
    }
    int n_frames = atoi(argv[3]), height = atoi(argv[4]), width = atoi(argv[5]);
    if (n_frames < 1 || height < 1 || width < 1) {
        fprintf(stderr, "N_FRAMES, HEIGHT and WIDTH must be positive\n");
        return 2;
    }
    size_t n_bytes = (size_t)n_frames * (size_t)height * (size_t)width * 3;
    unsigned char *rgb = malloc(n_bytes);
    FILE *f = fopen(argv[2], "rb");
    if (!rgb || !f || fread(rgb, 1, n_bytes, f) != n_bytes) {
        fprintf(stderr, "cannot read %zu bytes of frames from %s\n", n_bytes, argv[2]);
        return 1;
    }
    fclose(f);

    vd_model *model = NULL;
    vd_status st = vd_model_load(argv[1], NULL, &model);
    if (st != VD_OK) return fail("vd_model_load", st);

    vd_video *video = NULL;
    vd_encode_params ep = vd_encode_default_params();
    ep.n_threads = 2;
    st = vd_encode_frames(model, rgb, n_frames, height, width, (size_t)width * 3, &ep, &video);
    free(rgb);
    if (st != VD_OK) return fail("vd_encode_frames", st);

    vd_answer_params ap = vd_answer_default_params();
    ap.n_threads = 2;
    ap.top_k = 3;
    vd_result *result = NULL;
    st = vd_answer(model, video, argv[6], &ap, &result);
    if (st != VD_OK) return fail("vd_answer", st);

    for (int32_t r = 0; r < vd_result_top_k(result); r++)
        printf("%d. %s (%.4f)\n", r + 1, vd_result_answer_text(result, r), vd_result_answer_probability(result, r));
    int32_t k = 0;
    const int32_t *frames = vd_result_selected_frames(result, &k);
    printf("selected frames:");
    for (int32_t i = 0; i < k; i++) printf(" %d", frames[i]);
    printf("\n");

    vd_result_free(result);
    vd_video_free(video);
    vd_model_free(model);
    return 0;
}
