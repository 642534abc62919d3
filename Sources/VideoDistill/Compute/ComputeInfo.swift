import COpenBLAS
import _VDKernels

/// What computes: the OpenBLAS core and the SIMD path of VideoDistill's own kernels. For logs and benchmarks.
public enum ComputeInfo {
    /// OpenBLAS's core name (`openblas_get_corename`), e.g. "Haswell" or "SkylakeX".
    public static var blasCore: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The SIMD path of the C kernels in use: "avx512", "avx2" or "scalar".
    public static var kernelPath: String { String(cString: vd_isa_name(vd_get_isa())) }

    /// The path of the int8 kernels in use (int8 model files): "avx512-vnni", "avx-vnni", "avx2" or "scalar".
    public static var int8Path: String { String(cString: vd_int8_path_name(vd_int8_get_path())) }

    /// The cap the environment variable VD_ISA puts on both ("scalar", "avx2" or "avx512"), or nil when it is unset
    /// or names none of them.
    public static var isaCap: String? {
        let cap = vd_isa_cap()
        return cap < 0 ? nil : String(cString: vd_isa_name(cap))
    }

    /// OpenBLAS cores without AVX2 FMA kernels. OpenBLAS picks one of these when it does not know the CPU model
    /// (Debian 12's 0.3.21 on Intel Xeons with AVX512-FP16 picks "Prescott"), although the CPU can run the
    /// Haswell or SkylakeX kernels.
    static let preAVX2Cores: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom",
                                             "katmai", "coppermine", "northwood", "banias", "opteron",
                                             "barcelona", "bobcat", "sandybridge", "bulldozer", "piledriver"]

    /// A warning when OpenBLAS runs slower kernels than this CPU supports (fp32 matrix products then take several
    /// times longer), with the variable that fixes it; nil when its choice matches the CPU.
    public static var blasWarning: String? {
        let isa = vd_best_isa()
        guard isa != Int32(VD_ISA_SCALAR), preAVX2Cores.contains(blasCore.lowercased()) else { return nil }
        let better = isa == Int32(VD_ISA_AVX512) ? "SkylakeX" : "Haswell"
        return "OpenBLAS chose its \(blasCore) kernels, older than this CPU (\(String(cString: vd_isa_name(isa)))); "
            + "fp32 matrix products run several times slower: set OPENBLAS_CORETYPE=\(better) before starting the program"
    }
}
