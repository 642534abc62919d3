import _VDKernels

/// The LA-Gate (SPEC 3, paper eq. 1-3): one cosine per token and head between the token's query and the
/// text key, scaling the token's value; no softmax, no scaling, no sigmoid.
///
///   key = gate.k(t_cls);  q_i = gate.q(v_i);  val_i = gate.v(v_i)
///   g_ih = dot(q_ih, key_h) / (max(|q_ih|, 1e-6) * max(|key_h|, 1e-6))
///   out_i = gate.o(concat_h(g_ih * val_ih))
struct LAGate {
    let q: Linear   // "<prefix>.gate.q"  [D, D]
    let k: Linear   // "<prefix>.gate.k"  [D, Dt]
    let v: Linear   // "<prefix>.gate.v"  [D, D]
    let o: Linear   // "<prefix>.gate.o"  [D, D]
    let heads: Int  // H

    /// `int8Group`: SPEC 8's group of the four weights ("fs.gate" or "vr.gate").
    init(_ w: WeightReader, _ prefix: String, width D: Int, textWidth Dt: Int, heads: Int, int8Group g: String) throws {
        q = try Linear(w, prefix + ".gate.q", out: D, in: D, int8Group: g)
        k = try Linear(w, prefix + ".gate.k", out: D, in: Dt, int8Group: g)
        v = try Linear(w, prefix + ".gate.v", out: D, in: D, int8Group: g)
        o = try Linear(w, prefix + ".gate.o", out: D, in: D, int8Group: g)
        self.heads = heads
    }

    /// residual += out; gates = g.  v: [m, D] (already layer-normed), tCls: [Dt], residual: [m, D],
    /// gates: [m, H]. The residual is the caller's (SPEC 4 and 6 place it differently).
    /// Uses ws.key, ws.a (queries), ws.b (values, then g * val).
    func apply(_ vn: UnsafePointer<Float>, rows m: Int, tCls: UnsafePointer<Float>,
               residual: UnsafeMutablePointer<Float>, gates: UnsafeMutablePointer<Float>, ws: Workspace) {
        let D = q.outputs
        k.apply(tCls, rows: 1, into: ws.key.base)
        q.apply(vn, rows: m, into: ws.a.base)
        v.apply(vn, rows: m, into: ws.b.base)
        vd_gate_cosine_scale(ws.b.base, gates, ws.a.base, ws.key.base, ws.b.base, m, heads, D / heads)
        o.apply(ws.b.base, rows: m, into: residual, accumulate: true)
    }
}
