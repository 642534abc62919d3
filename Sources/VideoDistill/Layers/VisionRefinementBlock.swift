/// VR-Block (SPEC 6): the LA-Gate, then FrozenInTime's space-time layer.
///
///   x = x + LAGate(norm_g(x), t_cls)     # gates every token, token 0 included
///   t = x + timeattn(norm3(x))
///   s = x + attn(norm1(t))               # residual from x
///   x = s + mlp(norm2(s))
struct VisionRefinementBlock {
    let normG: LayerNorm        // "vr.blocks.{i}.norm_g"
    let gate: LAGate            // "vr.blocks.{i}.gate.{q,k,v,o}"
    let norm3: LayerNorm        // "vr.blocks.{i}.norm3"
    let timeattn: VarAttention  // "vr.blocks.{i}.timeattn.{qkv,proj}"
    let norm1: LayerNorm        // "vr.blocks.{i}.norm1"
    let attn: VarAttention      // "vr.blocks.{i}.attn.{qkv,proj}" (space)
    let norm2: LayerNorm        // "vr.blocks.{i}.norm2"
    let mlp: MLP                // "vr.blocks.{i}.mlp.{fc1,fc2}"

    /// Reads the tensors in SPEC 10's order (the norms, then the gate, timeattn, attn and MLP): the table's order.
    init(_ w: WeightReader, _ prefix: String, _ c: ModelConfig) throws {
        let D = c.modelDim, H = c.modelHeads, eps = c.lnEps
        func varAttention(_ name: String, _ grouping: VarAttention.Grouping) throws -> VarAttention {
            VarAttention(qkv: try Linear(w, prefix + "." + name + ".qkv", out: 3 * D, in: D, int8Group: "vr.attn"),
                         proj: try Linear(w, prefix + "." + name + ".proj", out: D, in: D, int8Group: "vr.attn"),
                         heads: H, grouping: grouping)
        }
        normG = try LayerNorm(w, prefix + ".norm_g", width: D, eps: eps)
        norm1 = try LayerNorm(w, prefix + ".norm1", width: D, eps: eps)
        norm2 = try LayerNorm(w, prefix + ".norm2", width: D, eps: eps)
        norm3 = try LayerNorm(w, prefix + ".norm3", width: D, eps: eps)
        gate = try LAGate(w, prefix, width: D, textWidth: c.textEmbedDim, heads: H, int8Group: "vr.gate")
        timeattn = try varAttention("timeattn", .time)
        attn = try varAttention("attn", .space)
        mlp = MLP(fc1: try Linear(w, prefix + ".mlp.fc1", out: 4 * D, in: D, int8Group: "vr.mlp"),
                  fc2: try Linear(w, prefix + ".mlp.fc2", out: D, in: 4 * D, int8Group: "vr.mlp"), activation: .gelu)
    }

    /// x: [1 + K*P, D] in place; tCls: [Dt]; gates: [1 + K*P, H] (this block's g).
    func apply(_ x: UnsafeMutablePointer<Float>, slots K: Int, patches P: Int, tCls: UnsafePointer<Float>,
               gates: UnsafeMutablePointer<Float>, ws: Workspace) {
        let T = 1 + K * P, t = ws.h.base
        // x = x + LAGate(norm_g(x), t_cls)
        normG.apply(x, rows: T, into: ws.xn.base)
        gate.apply(ws.xn.base, rows: T, tCls: tCls, residual: x, gates: gates, ws: ws)
        // t = x + timeattn(norm3(x))
        norm3.apply(x, rows: T, into: ws.xn.base)
        t.update(from: x, count: T * gate.q.outputs)
        timeattn.apply(ws.xn.base, slots: K, patches: P, residual: t, ws: ws)
        // s = x + attn(norm1(t)): x becomes s
        norm1.apply(t, rows: T, into: ws.xn.base)
        attn.apply(ws.xn.base, slots: K, patches: P, residual: x, ws: ws)
        // x = s + mlp(norm2(s))
        norm2.apply(x, rows: T, into: ws.xn.base)
        mlp.apply(ws.xn.base, rows: T, residual: x, hidden: ws.hidden.base)
    }
}
