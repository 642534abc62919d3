/// Multi-head self-attention with a fused q;k;v projection: CLIP's `attn` (SPEC 2.1) and FS's `attn` (SPEC 4).
struct SelfAttention {
    let qkv: Linear    // CLIP "attn.in_proj_weight/_bias", FS "attn.qkv"   [3W, W] / [3W]
    let proj: Linear   // CLIP "attn.out_proj", FS "attn.proj"              [W, W] / [W]
    let heads: Int     // H

    var width: Int { proj.outputs }

    /// residual += proj(attention(x)), where tokens attend within each of `groups` groups of n consecutive
    /// rows (the frames of a batch; one group for text and FS). `causal`: query i sees keys 0...i.
    /// x, residual: [groups * n, W]; uses ws.qkv, ws.a, ws.scores (n * n).
    func apply(_ x: UnsafePointer<Float>, groups: Int, n: Int, causal: Bool,
               residual: UnsafeMutablePointer<Float>, ws: Workspace) {
        let rows = groups * n, W = width
        qkv.apply(x, rows: rows, into: ws.qkv.base)
        // OpenBLAS runs on one thread (`ComputeThreads`): the groups (frames) are shared among the call's
        // threads, each with its own scores.
        let workers = Swift.min(groups, ComputeThreads.count)
        let scratch = workers > 1 ? FloatBuffer(count: workers * n * n) : nil
        withExtendedLifetime(scratch) {
            ComputeThreads.forEach(groups, workers: workers) { g, w in
                Attention.full(qkv: ws.qkv.base + g * n * 3 * W, n: n, width: W, heads: heads, causal: causal,
                               out: ws.a.base + g * n * W, scores: scratch.map { $0.base + w * n * n } ?? ws.scores.base)
            }
        }
        proj.apply(ws.a.base, rows: rows, into: residual, accumulate: true)
    }
}
