// Run-time choice of the int8 path: the best the CPU has, unless a test or benchmark forced another.
#include "gemm_int8_internal.h"
#include "vd_kernels.h"

static int vd_int8_path_current = -1;           // -1: not chosen yet
static __thread int vd_int8_path_thread = -1;   // -1: this thread follows vd_int8_path_current

int vd_int8_path_supported(int path) {
    // VD_ISA caps the int8 paths as it caps the fp32 kernels': scalar, avx2 (no VNNI), avx512 (any).
    int cap = vd_isa_cap();
    if (cap == VD_ISA_SCALAR && path != VD_INT8_SCALAR) return 0;
    if (cap == VD_ISA_AVX2 && path > VD_INT8_AVX2) return 0;
    switch (path) {
    case VD_INT8_SCALAR: return 1;
#if VD_INT8_X86
    case VD_INT8_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2");
    case VD_INT8_AVX_VNNI:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni");
    case VD_INT8_AVX512_VNNI:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#endif
    default: return 0;
    }
}

int vd_int8_best_path(void) {
    for (int path = VD_INT8_AVX512_VNNI; path > VD_INT8_SCALAR; path--)
        if (vd_int8_path_supported(path)) return path;
    return VD_INT8_SCALAR;
}

int vd_int8_get_path(void) {
    if (vd_int8_path_thread >= 0) return vd_int8_path_thread;
    int path = __atomic_load_n(&vd_int8_path_current, __ATOMIC_RELAXED);
    if (path < 0) {
        path = vd_int8_best_path();
        __atomic_store_n(&vd_int8_path_current, path, __ATOMIC_RELAXED);
    }
    return path;
}

int vd_int8_set_path(int path) {
    if (!vd_int8_path_supported(path)) return -1;
    __atomic_store_n(&vd_int8_path_current, path, __ATOMIC_RELAXED);
    return 0;
}

int vd_int8_set_thread_path(int path) {
    if (path == -1) {
        vd_int8_path_thread = -1;
        return 0;
    }
    if (!vd_int8_path_supported(path)) return -1;
    vd_int8_path_thread = path;
    return 0;
}

const char *vd_int8_path_name(int path) {
    switch (path) {
    case VD_INT8_SCALAR: return "scalar";
    case VD_INT8_AVX2: return "avx2";
    case VD_INT8_AVX_VNNI: return "avx-vnni";
    case VD_INT8_AVX512_VNNI: return "avx512-vnni";
    default: return "unknown";
    }
}
