import Foundation
import _VDKernels

/// The int8 paths this CPU has (scalar included), each to be forced and compared with the scalar path.
let int8Paths: [Int32] = (Int32(VD_INT8_SCALAR)...Int32(VD_INT8_AVX512_VNNI)).filter { vd_int8_path_supported($0) == 1 }

/// Runs body with the int8 kernels forced to `path` (and the AVX2 path's narrow activations on or off) for this
/// thread's calls, then lets the thread follow the process again. Thread-local, because with narrow activations
/// the AVX2 path's vd_linear_int8 quantizes to [-64, 64]: other suites running meanwhile keep their own bits.
func withInt8Path<T>(_ path: Int32, narrow: Bool = false, _ body: () throws -> T) rethrows -> T {
    precondition(vd_int8_set_thread_path(path) == 0 && vd_int8_set_thread_narrow(narrow ? 1 : 0) == 0)
    defer { _ = vd_int8_set_thread_path(-1); _ = vd_int8_set_thread_narrow(-1) }
    return try body()
}

/// Every path this CPU has with the default activations, and the AVX2 path with narrow ones where it exists.
let int8Modes: [(path: Int32, narrow: Bool)] = int8Paths.map { ($0, false) }
    + (int8Paths.contains(Int32(VD_INT8_AVX2)) ? [(Int32(VD_INT8_AVX2), true)] : [])

/// Packed int8 weights W [n, k] with per-row scales, freed with the value.
final class Int8Weights {
    let pointer: OpaquePointer
    let n: Int, k: Int

    init?(_ w: [Int8], scales: [Float], n: Int, k: Int) {
        guard let p = vd_int8_weights_pack(w, scales, Int32(n), Int32(k)) else { return nil }
        pointer = p
        self.n = n
        self.k = k
    }

    deinit { vd_int8_weights_free(pointer) }

    /// c [m, n] = a [m, k] . W^T on the current path.
    func gemm(_ a: [Int8], m: Int, threads: Int32 = 1) -> [Int32] {
        var c = [Int32](repeating: .min, count: m * n)
        vd_gemm_int8(&c, Int64(n), a, Int32(m), Int32(k), pointer, threads)
        return c
    }
}

/// c [m, n] = a [m, k] . w [n, k]^T in Int64: the independent reference for every path.
func referenceGEMM(_ a: [Int8], _ w: [Int8], m: Int, n: Int, k: Int) -> [Int64] {
    var c = [Int64](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var s: Int64 = 0
            for l in 0..<k { s += Int64(a[i * k + l]) * Int64(w[j * k + l]) }
            c[i * n + j] = s
        }
    }
    return c
}

extension KernelRandom {
    /// Uniform int8 in [lo, hi].
    mutating func int8s(_ n: Int, _ lo: Int = -128, _ hi: Int = 127) -> [Int8] {
        (0..<n).map { _ in Int8(lo + Int(next() % UInt64(hi - lo + 1))) }
    }
}
