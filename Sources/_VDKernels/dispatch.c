// Run-time choice of the SIMD path: the best the CPU has (capped by VD_ISA), unless a test forced another.
#include "vd_internal.h"
#include <stdlib.h>
#include <string.h>

static int vd_isa_current = -1;   // -1: not chosen yet

int vd_isa_cap(void) {
    static int cap = -2;   // -2: not read yet; -1: none
    int c = __atomic_load_n(&cap, __ATOMIC_RELAXED);
    if (c == -2) {
        const char *v = getenv("VD_ISA");
        c = -1;
        if (v && !strcmp(v, "scalar")) c = VD_ISA_SCALAR;
        else if (v && !strcmp(v, "avx2")) c = VD_ISA_AVX2;
        else if (v && !strcmp(v, "avx512")) c = VD_ISA_AVX512;
        __atomic_store_n(&cap, c, __ATOMIC_RELAXED);
    }
    return c;
}

int vd_best_isa(void) {
    int best = VD_ISA_SCALAR;
#if VD_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) best = VD_ISA_AVX512;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = VD_ISA_AVX2;
#endif
    int cap = vd_isa_cap();
    return cap >= 0 && cap < best ? cap : best;
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
