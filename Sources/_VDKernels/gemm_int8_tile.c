// The cache blocking shared by the SIMD paths: a chunk of W (about W_CHUNK bytes) and a block of rows of a
// (about A_CHUNK bytes, at most MC_MAX rows) stay in the core's L2 (1 MiB on Zen 5) while every register block
// of the two is computed; each register block's rows of a (mr x k bytes) stay in L1 across the chunk.
#include "gemm_int8_internal.h"

#define W_CHUNK (384 * 1024)
#define A_CHUNK (256 * 1024)
#define MC_MAX 384

void vd_int8_tile_simd(const vd_int8_simd_path *path, const vd_int8_out *out, const int8_t *a, int32_t i0, int32_t i1,
                       const vd_int8_weights *w, int32_t b0, int32_t b1) {
    const int32_t k = w->k, mr_max = path->mr_max, nb_max = path->nb_max;
    const size_t block_bytes = (size_t)w->k4 * VD_INT8_NB * 4;
    int32_t chunk_blocks = (int32_t)(W_CHUNK / block_bytes) / nb_max * nb_max;
    if (chunk_blocks < nb_max) chunk_blocks = nb_max;
    int32_t mc = (int32_t)(A_CHUNK / (size_t)k) / mr_max * mr_max;
    if (mc < mr_max) mc = mr_max;
    if (mc > MC_MAX) mc = MC_MAX / mr_max * mr_max;
    int32_t sums[MC_MAX];
    for (int32_t ic = i0; ic < i1; ic += mc) {
        int32_t ie = ic + mc < i1 ? ic + mc : i1;
        int32_t amax = path->row_sums(sums, a + (size_t)ic * (size_t)k, ie - ic, k);
        // The narrow kernels where every row of the block allows them.
        const int narrow = path->narrow_kernels && amax <= VD_INT8_AVX2_ACT_MAX;
        const vd_int8_kernel_fn *kernels = narrow ? path->narrow_kernels : path->kernels;
        const int32_t mr_use = narrow ? path->narrow_mr_max : mr_max, nb_use = narrow ? 1 : nb_max;
        for (int32_t bc = b0; bc < b1; bc += chunk_blocks) {
            int32_t be = bc + chunk_blocks < b1 ? bc + chunk_blocks : b1;
            for (int32_t i = ic; i < ie; i += mr_use) {
                int32_t mr = ie - i < mr_use ? ie - i : mr_use;
                for (int32_t b = bc; b < be; b += nb_use) {
                    int32_t nb = be - b < nb_use ? be - b : nb_use;
                    size_t q_stride;
                    const uint8_t *wb = vd_int8_block(w, b, &q_stride);
                    kernels[(mr - 1) * nb_use + (nb - 1)](out, a + (size_t)i * (size_t)k, k, wb, q_stride,
                                                          sums + (i - ic), i, b * VD_INT8_NB, w->n, w->scales);
                }
            }
        }
    }
}
