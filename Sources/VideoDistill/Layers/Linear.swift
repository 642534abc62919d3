import _VDKernels

/// PyTorch's `nn.Linear`: y = x W^T + b, with W [out, in] either fp32 where it lies in the mapped file or,
/// in an int8 model file, int8 with per-output-channel scales packed once at load (SPEC 8: the input is
/// quantized per token at run time, the products are exact integers, the output is dequantized to fp32).
struct Linear {
    let weight: LinearWeight   // "<prefix>.weight"  [out, in]
    let bias: TensorView?      // "<prefix>.bias"    [out]  (nil: no bias, as CLIP's conv1)

    var outputs: Int { weight.outputs }
    var inputs: Int { weight.inputs }

    /// The Linear named `<prefix>.weight` / `<prefix>.bias`, its weight in SPEC 8's `int8Group`.
    init(_ w: WeightReader, _ prefix: String, out: Int, in inputs: Int, int8Group: String) throws {
        try self.init(w, weight: prefix + ".weight", bias: prefix + ".bias", out: out, in: inputs, int8Group: int8Group)
    }

    /// A Linear under other names (CLIP's `attn.in_proj_weight` / `attn.in_proj_bias`, the patch convolution
    /// `clip.visual.conv1.weight` [Dv, 3, p, p] read as [Dv, 3 p p] without a bias).
    init(_ w: WeightReader, weight: String, bias: String?, out: Int, in inputs: Int, shape: [Int]? = nil,
         int8Group: String) throws {
        self.weight = try w.linearWeight(weight, shape ?? [out, inputs], out: out, in: inputs, int8Group: int8Group)
        self.bias = try bias.map { try w.tensor($0, [out]) }
    }

    /// An fp32 Linear over views.
    init(weight: TensorView, bias: TensorView) {
        self.weight = .f32(weight)
        self.bias = bias
    }

    /// y = x W^T + b, or y += x W^T + b when `accumulate` (a residual added in place).
    /// x: [rows, in] (row stride ldx, default in); y: [rows, out] (row stride out)
    func apply(_ x: UnsafePointer<Float>, rows: Int, ldx: Int? = nil, into y: UnsafeMutablePointer<Float>,
               accumulate: Bool = false) {
        guard rows > 0 else { return }
        switch weight {
        case .f32(let w):
            applyF32(w.floats, x, rows: rows, lda: ldx ?? inputs, into: y, accumulate: accumulate)
        case .int8(let w):
            w.apply(x, rows: rows, ldx: ldx ?? inputs, bias: bias?.floats, into: y, accumulate: accumulate)
        }
    }
}

extension Linear {
    /// Rows per thread below which the call's threads split the output channels instead of the rows.
    static let minRowsPerThread = 32

    /// The fp32 product on the call's threads (`ComputeThreads`), OpenBLAS on one thread in each: a block of
    /// rows per thread, or of output channels when there are few rows (text, FS). The bias goes in first and
    /// OpenBLAS adds to it (beta = 1), which saves the pass that zeroes y and the pass that adds the bias.
    fileprivate func applyF32(_ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, lda: Int,
                              into y: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let n = outputs, k = inputs, threads = ComputeThreads.count
        let byRows = rows >= Self.minRowsPerThread * threads
        let workers = byRows ? threads : Swift.max(1, Swift.min(threads, n / 64))
        let b = bias?.floats
        ComputeThreads.parallel(workers) { part in
            let r = byRows ? ComputeThreads.range(part, of: workers, count: rows) : 0..<rows
            let c = byRows ? 0..<n : ComputeThreads.range(part, of: workers, count: n, align: 16)
            guard !r.isEmpty, !c.isEmpty else { return }
            let out = y + r.lowerBound * n + c.lowerBound
            if let b {
                for i in 0..<r.count {
                    if accumulate {
                        vd_add(out + i * n, b + c.lowerBound, c.count)
                    } else {
                        (out + i * n).update(from: b + c.lowerBound, count: c.count)
                    }
                }
            }
            GEMM.nt(m: r.count, n: c.count, k: k, a: x + r.lowerBound * lda, lda: lda, b: w + c.lowerBound * k,
                    ldb: k, beta: accumulate || b != nil ? 1 : 0, c: out, ldc: n)
        }
    }
}

/// The weight of a Linear: fp32 in the mapped file, or int8 packed for the int8 kernels.
enum LinearWeight {
    case f32(TensorView)          // [out, in] (or the patch convolution's [Dv, 3, p, p])
    case int8(PackedInt8Weights)

    var outputs: Int {
        switch self {
        case .f32(let t): return t.shape[0]
        case .int8(let p): return p.outputs
        }
    }

    var inputs: Int {
        switch self {
        case .f32(let t): return t.count / t.shape[0]
        case .int8(let p): return p.inputs
        }
    }

    var isInt8: Bool { if case .int8 = self { return true } else { return false } }
}
