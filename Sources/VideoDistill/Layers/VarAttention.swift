import _VDKernels

/// FrozenInTime's VarAttention (SPEC 6) over tokens [token 0; K*P frame-major patches], token 1 + k*P + p
/// being patch p of slot k. The token-0 query attends to all 1 + K*P tokens; every other query attends to
/// token 0 plus the tokens of its own group. No (1+KP)^2 matrix is ever formed.
struct VarAttention {
    enum Grouping {
        /// `timeattn`: one group per patch position p, its K tokens (row stride P).
        case time
        /// `attn` (space): one group per slot k, its P tokens (consecutive rows).
        case space
    }

    let qkv: Linear        // "vr.blocks.{i}.timeattn.qkv" / "vr.blocks.{i}.attn.qkv"   [3D, D]
    let proj: Linear       // "vr.blocks.{i}.timeattn.proj" / "vr.blocks.{i}.attn.proj" [D, D]
    let heads: Int         // H
    let grouping: Grouping

    /// Scores needed for one group and head, or for token 0's row.
    static func scoreCount(slots K: Int, patches P: Int) -> Int {
        Swift.max(1 + K * P, K * (1 + K), P * (1 + P))
    }

    /// residual += proj(VarAttention(x)).  x, residual: [1 + K*P, D]; uses ws.qkv, ws.a, ws.scores.
    func apply(_ x: UnsafePointer<Float>, slots K: Int, patches P: Int, residual: UnsafeMutablePointer<Float>,
               ws: Workspace) {
        let T = 1 + K * P, D = proj.outputs
        qkv.apply(x, rows: T, into: ws.qkv.base)
        // The heads of token 0's row, then the groups, shared among the call's threads (`ComputeThreads`),
        // each with its own scores.
        let groups = grouping == .time ? P : K
        let workers = Swift.min(Swift.max(groups, heads), ComputeThreads.count)
        let perWorker = Self.scoreCount(slots: K, patches: P)
        let scratch = workers > 1 ? FloatBuffer(count: workers * perWorker) : nil
        withExtendedLifetime(scratch) {
            let scores = { (w: Int) in scratch.map { $0.base + w * perWorker } ?? ws.scores.base }
            ComputeThreads.forEach(heads, workers: workers) { h, w in
                attendTokenZero(head: h, tokens: T, width: D, ws: ws, scores: scores(w))
            }
            ComputeThreads.forEach(groups, workers: workers) { g, w in
                switch grouping {
                case .time: attendGroup(first: 1 + g, stride: P, n: K, width: D, ws: ws, scores: scores(w))
                case .space: attendGroup(first: 1 + g * P, stride: 1, n: P, width: D, ws: ws, scores: scores(w))
                }
            }
        }
        proj.apply(ws.a.base, rows: T, into: residual, accumulate: true)
    }

    /// out[0] = softmax(q_0 K^T / sqrt(d)) V over all T tokens, for head h.  scores: [T] scratch.
    private func attendTokenZero(head h: Int, tokens T: Int, width D: Int, ws: Workspace,
                                 scores s: UnsafeMutablePointer<Float>) {
        let d = D / heads, ld = 3 * D
        let scale = 1 / Float(d).squareRoot()
        let q0 = ws.qkv.base + h * d, k = ws.qkv.base + D + h * d, v = ws.qkv.base + 2 * D + h * d
        GEMM.gemv(m: T, n: d, alpha: scale, a: k, lda: ld, x: q0, y: s)   // s = K q_0 / sqrt(d)   [T]
        vd_softmax_rows(s, 1, T, T)
        GEMM.gemvT(m: T, n: d, a: v, lda: ld, x: s, y: ws.a.base + h * d)  // out_0,h = V^T s  [d]
    }

    /// The n queries at rows first + j*stride attend to token 0 and to the same n rows, per head.
    /// scores: scratch of n * (1 + n) floats. Scores [n, 1 + n]: column 0 is token 0, column 1 + j the group's token j.
    private func attendGroup(first: Int, stride: Int, n: Int, width D: Int, ws: Workspace,
                             scores s: UnsafeMutablePointer<Float>) {
        let d = D / heads, ld = stride * 3 * D, cols = 1 + n
        let scale = 1 / Float(d).squareRoot()
        let group = ws.qkv.base + first * 3 * D
        for h in 0..<heads {
            let q = group + h * d, k = group + D + h * d, v = group + 2 * D + h * d
            let k0 = ws.qkv.base + D + h * d, v0 = ws.qkv.base + 2 * D + h * d
            let out = ws.a.base + first * D + h * d
            GEMM.gemv(m: n, n: d, alpha: scale, a: q, lda: ld, x: k0, y: s, incy: cols)          // column 0
            GEMM.nt(m: n, n: n, k: d, alpha: scale, a: q, lda: ld, b: k, ldb: ld, beta: 0, c: s + 1, ldc: cols)
            vd_softmax_rows(s, n, cols, cols)
            GEMM.nn(m: n, n: d, k: n, a: s + 1, lda: cols, b: v, ldb: ld, beta: 0, c: out, ldc: stride * D)
            GEMM.ger(m: n, n: d, x: s, incx: cols, y: v0, a: out, lda: stride * D)               // + p_0 v_0
        }
    }
}
