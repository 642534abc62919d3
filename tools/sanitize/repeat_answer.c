/* For tools/sanitize/valgrind-example.sh: loads the model ROUNDS times, and each time encodes the frames, asks
 * three questions (answer, match, similarity, tokenize) and frees everything, so that memory kept per call would
 * show as growth between a 1-round and a ROUNDS-round run.
 *   repeat MODEL.gguf FRAMES.rgb N_FRAMES HEIGHT WIDTH ROUNDS */
#include <stdio.h>
#include <stdlib.h>

#include "videodistill.h"

int main(int argc, char **argv) {
    if (argc != 7) return 2;
    int n = atoi(argv[3]), h = atoi(argv[4]), w = atoi(argv[5]), rounds = atoi(argv[6]);
    size_t bytes = (size_t)n * h * w * 3;
    unsigned char *rgb = malloc(bytes);
    FILE *f = fopen(argv[2], "rb");
    if (!rgb || !f || fread(rgb, 1, bytes, f) != bytes) return 1;
    fclose(f);
    const char *questions[] = { "what colour is the ball?", "", "\xc3\xa9t\xc3\xa9 &amp; caf\xc3\xa9 <|endoftext|>" };
    for (int r = 0; r < rounds; r++) {
        vd_model *m = NULL;
        if (vd_model_load(argv[1], NULL, &m) != VD_OK) { fprintf(stderr, "%s\n", vd_last_error()); return 1; }
        vd_video *v = NULL;
        if (vd_encode_frames(m, rgb, n, h, w, (size_t)w * 3, NULL, &v) != VD_OK) return 1;
        for (int q = 0; q < 3; q++) {
            vd_result *res = NULL;
            if (vd_answer(m, v, questions[q], NULL, &res) != VD_OK) return 1;
            vd_result_free(res);
            float s = 0;
            vd_match(m, v, questions[q], NULL, &s);
            vd_similarity(m, v, questions[q], NULL, &s);
            int32_t ids[256], count = 0;
            vd_tokenize(m, questions[q], ids, 256, &count);
        }
        /* A failing call sets the thread's last error; that buffer is static, not leaked. */
        vd_result *bad = NULL;
        if (vd_answer(m, v, NULL, NULL, &bad) == VD_OK) return 1;
        vd_video_free(v);
        vd_model_free(m);
    }
    free(rgb);
    puts("ok");
    return 0;
}
