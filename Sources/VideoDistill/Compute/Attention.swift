import _VDKernels

/// Scaled dot-product attention over token rows whose fused projection `qkv` holds q;k;v (SPEC 2.1, 4, 6):
/// head h of a width-W vector is its components h*d ..< (h+1)*d, d = W/H, and scores are scaled by 1/sqrt(d).
enum Attention {
    /// Every query of one group of n tokens attends to the group's keys (all of them, or 0...i for query i
    /// when `causal`).
    ///
    /// qkv: [n, 3W] (row stride 3W); out: [n, W] (row stride W); scores: scratch of n*n floats.
    static func full(qkv: UnsafePointer<Float>, n: Int, width: Int, heads: Int, causal: Bool,
                     out: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>) {
        let d = width / heads, ld = 3 * width
        let scale = 1 / Float(d).squareRoot()
        for h in 0..<heads {
            let q = qkv + h * d, k = qkv + width + h * d, v = qkv + 2 * width + h * d
            // scores = q k^T / sqrt(d)   [n, n]
            GEMM.nt(m: n, n: n, k: d, alpha: scale, a: q, lda: ld, b: k, ldb: ld, beta: 0, c: scores, ldc: n)
            if causal {
                // Query i sees keys 0...i; the masked scores become exact zeros (exp(-inf)).
                for i in 0..<n {
                    let row = scores + i * n
                    vd_softmax_rows(row, 1, i + 1, n)
                    (row + i + 1).update(repeating: 0, count: n - i - 1)
                }
            } else {
                vd_softmax_rows(scores, n, n, n)
            }
            // out_h = softmax(scores) v   [n, d]
            GEMM.nn(m: n, n: d, k: n, a: scores, lda: n, b: v, ldb: ld, beta: 0, c: out + h * d, ldc: width)
        }
    }
}
