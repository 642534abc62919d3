// Packing of int8 weights into the tile kernels' layout (see gemm_int8_internal.h), once per layer at load.
#include "gemm_int8_internal.h"
#include <stdlib.h>
#include <string.h>

vd_int8_weights *vd_int8_weights_pack(const int8_t *w, const float *scales, int32_t n, int32_t k) {
    if (!w || !scales || n < 1 || k < 1 || k > VD_INT8_MAX_K) return NULL;
    int32_t n_blocks = (n + VD_INT8_NB - 1) / VD_INT8_NB, k4 = (k + 3) / 4;
    size_t data_bytes = (size_t)n_blocks * (size_t)k4 * VD_INT8_NB * 4;
    size_t scale_bytes = (size_t)n_blocks * VD_INT8_NB * sizeof(float);
    vd_int8_weights *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    // 64-byte aligned: each [16][4] group is one 512-bit load.
    p->data = aligned_alloc(64, (data_bytes + 63) / 64 * 64);
    p->scales = calloc((size_t)n_blocks * VD_INT8_NB, sizeof(float));
    if (!p->data || !p->scales) {
        vd_int8_weights_free(p);
        return NULL;
    }
    memset(p->data, 0, data_bytes);   // padding: u = 0 adds nothing
    p->n = n;
    p->k = k;
    p->n_blocks = n_blocks;
    p->k4 = k4;
    for (int32_t j = 0; j < n; j++) {
        size_t q_stride;
        uint8_t *channel = (uint8_t *)vd_int8_block(p, j / VD_INT8_NB, &q_stride) + (size_t)(j % VD_INT8_NB) * 4;
        const int8_t *row = w + (size_t)j * (size_t)k;
        for (int32_t l = 0; l < k; l++) channel[(size_t)(l / 4) * q_stride + (size_t)(l % 4)] = (uint8_t)((int32_t)row[l] + 128);
    }
    memcpy(p->scales, scales, (size_t)n * sizeof(float));
    p->bytes = data_bytes + scale_bytes;
    return p;
}

void vd_int8_weights_free(vd_int8_weights *w) {
    if (!w) return;
    free(w->data);
    free(w->scales);
    free(w);
}

size_t vd_int8_weights_bytes(const vd_int8_weights *w) { return w ? w->bytes : 0; }
