// Run-time choice of the SIMD path: the best the CPU has, unless a test forced another.
#include "vd_internal.h"

static int vd_isa_current = -1;   // -1: not chosen yet

int vd_best_isa(void) {
#if VD_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return VD_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return VD_ISA_AVX2;
#endif
    return VD_ISA_SCALAR;
}

int vd_get_isa(void) {
    int isa = __atomic_load_n(&vd_isa_current, __ATOMIC_RELAXED);
    if (isa < 0) {
        isa = vd_best_isa();
        __atomic_store_n(&vd_isa_current, isa, __ATOMIC_RELAXED);
    }
    return isa;
}

int vd_set_isa(int isa) {
    if (isa < VD_ISA_SCALAR || isa > vd_best_isa()) return -1;
    __atomic_store_n(&vd_isa_current, isa, __ATOMIC_RELAXED);
    return 0;
}

const char *vd_isa_name(int isa) {
    switch (isa) {
    case VD_ISA_SCALAR: return "scalar";
    case VD_ISA_AVX2: return "avx2";
    case VD_ISA_AVX512: return "avx512";
    default: return "unknown";
    }
}
