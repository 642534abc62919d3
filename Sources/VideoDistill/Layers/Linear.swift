import _VDKernels

/// PyTorch's `nn.Linear`: y = x W^T + b, with W [out, in] used where it lies in the mapped file.
struct Linear {
    let weight: TensorView   // "<prefix>.weight"  [out, in]
    let bias: TensorView     // "<prefix>.bias"    [out]

    var outputs: Int { weight.shape[0] }
    var inputs: Int { weight.shape[1] }

    /// The Linear named `<prefix>.weight` / `<prefix>.bias`.
    init(_ w: WeightReader, _ prefix: String, out: Int, in inputs: Int) throws {
        weight = try w.tensor(prefix + ".weight", [out, inputs])
        bias = try w.tensor(prefix + ".bias", [out])
    }

    /// A Linear under other names (CLIP's `attn.in_proj_weight` / `attn.in_proj_bias`).
    init(weight: TensorView, bias: TensorView) {
        self.weight = weight
        self.bias = bias
    }

    /// y = x W^T + b, or y += x W^T + b when `accumulate` (a residual added in place).
    /// x: [rows, in] (row stride ldx, default in); y: [rows, out] (row stride out)
    func apply(_ x: UnsafePointer<Float>, rows: Int, ldx: Int? = nil, into y: UnsafeMutablePointer<Float>,
               accumulate: Bool = false) {
        guard rows > 0 else { return }
        GEMM.nt(m: rows, n: outputs, k: inputs, a: x, lda: ldx ?? inputs, b: weight.floats, ldb: inputs,
                beta: accumulate ? 1 : 0, c: y, ldc: outputs)
        vd_add_bias_rows(y, bias.floats, rows, outputs)
    }
}
