/// One block of OpenAI CLIP's transformer (SPEC 2.1):
///   x = x + MHA(ln_1(x));  x = x + MLP(ln_2(x))   with QuickGELU in the MLP.
struct CLIPResidualBlock {
    let ln1: LayerNorm          // "<prefix>.ln_1"
    let attn: SelfAttention     // "<prefix>.attn.in_proj_weight", "...in_proj_bias", "...out_proj"
    let ln2: LayerNorm          // "<prefix>.ln_2"
    let mlp: MLP                // "<prefix>.mlp.c_fc", "<prefix>.mlp.c_proj"

    /// `int8Group`: SPEC 8's group of the block's four Linear weights ("vision.blocks" or "text.blocks").
    init(_ w: WeightReader, _ prefix: String, width W: Int, heads: Int, eps: Float, int8Group g: String) throws {
        ln1 = try LayerNorm(w, prefix + ".ln_1", width: W, eps: eps)
        attn = SelfAttention(
            qkv: try Linear(w, weight: prefix + ".attn.in_proj_weight", bias: prefix + ".attn.in_proj_bias",
                            out: 3 * W, in: W, int8Group: g),
            proj: try Linear(w, prefix + ".attn.out_proj", out: W, in: W, int8Group: g),
            heads: heads)
        ln2 = try LayerNorm(w, prefix + ".ln_2", width: W, eps: eps)
        mlp = MLP(fc1: try Linear(w, prefix + ".mlp.c_fc", out: 4 * W, in: W, int8Group: g),
                  fc2: try Linear(w, prefix + ".mlp.c_proj", out: W, in: 4 * W, int8Group: g),
                  activation: .quickGELU)
    }

    /// x: [groups * n, W], tokens attending within groups of n rows (one frame each, or the text).
    func apply(_ x: UnsafeMutablePointer<Float>, groups: Int, n: Int, causal: Bool, ws: Workspace) {
        let rows = groups * n
        // x = x + MHA(ln_1(x))
        ln1.apply(x, rows: rows, into: ws.xn.base)
        attn.apply(ws.xn.base, groups: groups, n: n, causal: causal, residual: x, ws: ws)
        // x = x + MLP(ln_2(x))
        ln2.apply(x, rows: rows, into: ws.xn.base)
        mlp.apply(ws.xn.base, rows: rows, residual: x, hidden: ws.hidden.base)
    }
}
