/// FS-Block (SPEC 4): FrozenInTime's divided skip with the LA-Gate as its first branch.
///
///   h = x + LAGate(norm_g(x), t_cls)
///   x = x + attn(norm_a(h))      # residual from x, not from h
///   x = x + mlp(norm_m(x))
struct FrameSamplingBlock {
    let normG: LayerNorm        // "fs.blocks.{i}.norm_g"
    let gate: LAGate            // "fs.blocks.{i}.gate.{q,k,v,o}"
    let normA: LayerNorm        // "fs.blocks.{i}.norm_a"
    let attn: SelfAttention     // "fs.blocks.{i}.attn.qkv", "...attn.proj"
    let normM: LayerNorm        // "fs.blocks.{i}.norm_m"
    let mlp: MLP                // "fs.blocks.{i}.mlp.fc1", "...mlp.fc2"

    /// Reads the tensors in SPEC 10's order (the norms, then the gate, attention and MLP): the table's order.
    init(_ w: WeightReader, _ prefix: String, _ c: ModelConfig) throws {
        let D = c.modelDim
        normG = try LayerNorm(w, prefix + ".norm_g", width: D, eps: c.lnEps)
        normA = try LayerNorm(w, prefix + ".norm_a", width: D, eps: c.lnEps)
        normM = try LayerNorm(w, prefix + ".norm_m", width: D, eps: c.lnEps)
        gate = try LAGate(w, prefix, width: D, textWidth: c.textEmbedDim, heads: c.modelHeads, int8Group: "fs.gate")
        attn = SelfAttention(qkv: try Linear(w, prefix + ".attn.qkv", out: 3 * D, in: D, int8Group: "fs.attn"),
                             proj: try Linear(w, prefix + ".attn.proj", out: D, in: D, int8Group: "fs.attn"),
                             heads: c.modelHeads)
        mlp = MLP(fc1: try Linear(w, prefix + ".mlp.fc1", out: 4 * D, in: D, int8Group: "fs.mlp"),
                  fc2: try Linear(w, prefix + ".mlp.fc2", out: D, in: 4 * D, int8Group: "fs.mlp"), activation: .gelu)
    }

    /// x: [N, D] in place; tCls: [Dt]; gates: [N, H] (this block's g).
    func apply(_ x: UnsafeMutablePointer<Float>, n N: Int, tCls: UnsafePointer<Float>,
               gates: UnsafeMutablePointer<Float>, ws: Workspace) {
        let h = ws.h.base
        // h = x + LAGate(norm_g(x), t_cls)
        normG.apply(x, rows: N, into: ws.xn.base)
        h.update(from: x, count: N * attn.width)
        gate.apply(ws.xn.base, rows: N, tCls: tCls, residual: h, gates: gates, ws: ws)
        // x = x + attn(norm_a(h))
        normA.apply(h, rows: N, into: ws.xn.base)
        attn.apply(ws.xn.base, groups: 1, n: N, causal: false, residual: x, ws: ws)
        // x = x + mlp(norm_m(x))
        normM.apply(x, rows: N, into: ws.xn.base)
        mlp.apply(ws.xn.base, rows: N, residual: x, hidden: ws.hidden.base)
    }
}
