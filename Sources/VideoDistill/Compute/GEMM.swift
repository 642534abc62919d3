import COpenBLAS

/// fp32 matrix products through OpenBLAS (row-major). Weights are used where they lie in the mapped file:
/// a Linear weight `W [out, in]` is OpenBLAS's `B` with `CblasTrans`, so `y = x W^T` needs no copy.
///
/// Sizes are Ints checked once at model load to fit OpenBLAS's 32-bit `blasint` (`GEMM.fits`).
enum GEMM {
    /// The largest value a size or leading dimension may take.
    static let maxInt = Int(Int32.max)

    /// True when every value fits a `blasint`.
    static func fits(_ values: Int...) -> Bool { values.allSatisfy { $0 >= 0 && $0 <= maxInt } }

    /// C = alpha * A B^T + beta * C.  A: [m, k] (row stride lda), B: [n, k] (ldb), C: [m, n] (ldc)
    @inline(__always)
    static func nt(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                   b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// C = alpha * A B + beta * C.  A: [m, k] (lda), B: [k, n] (ldb), C: [m, n] (ldc)
    @inline(__always)
    static func nn(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                   b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y[i * incy] = alpha * sum_j A[i, j] x[j].  A: [m, n] (lda), x: [n], y: [m] (stride incy)
    @inline(__always)
    static func gemv(m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                     x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, incy: Int = 1) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, 0, y, Int32(incy))
    }

    /// y[j] = alpha * sum_i A[i, j] x[i].  A: [m, n] (lda), x: [m], y: [n]
    @inline(__always)
    static func gemvT(m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                      x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, 0, y, 1)
    }

    /// A[i, j] += x[i * incx] * y[j].  A: [m, n] (lda), x: [m] (stride incx), y: [n]
    @inline(__always)
    static func ger(m: Int, n: Int, x: UnsafePointer<Float>, incx: Int, y: UnsafePointer<Float>,
                    a: UnsafeMutablePointer<Float>, lda: Int) {
        cblas_sger(CblasRowMajor, Int32(m), Int32(n), 1, x, Int32(incx), y, 1, a, Int32(lda))
    }
}
