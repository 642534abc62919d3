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
    public static var int8Path: String { String(cString: vd_s8_path_name(vd_s8_get_path())) }
}
