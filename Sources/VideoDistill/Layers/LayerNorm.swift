import _VDKernels

/// PyTorch's `nn.LayerNorm` over the last axis: (x - mean) / sqrt(var + eps) * weight + bias.
struct LayerNorm {
    let weight: TensorView   // "<prefix>.weight"  [width]
    let bias: TensorView     // "<prefix>.bias"    [width]
    let eps: Float           // config: clip_ln_eps (CLIP towers) or ln_eps (VideoDistill's parts)

    var width: Int { weight.shape[0] }

    init(_ w: WeightReader, _ prefix: String, width: Int, eps: Float) throws {
        weight = try w.tensor(prefix + ".weight", [width])
        bias = try w.tensor(prefix + ".bias", [width])
        self.eps = eps
    }

    /// y = LayerNorm(x) for each row.  x, y: [rows, width] (y may be x)
    func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        vd_layernorm_rows(y, x, weight.floats, bias.floats, rows, width, eps)
    }
}
