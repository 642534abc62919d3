import COpenBLAS
import _VDKernels

/// PyTorch's `nn.Linear`: y = x W^T + b, with W [out, in] either fp32 where it lies in the mapped file or,
/// in an int8 model file, int8 with per-output-channel scales packed once at load (SPEC 8: the input is
/// quantized per token at run time, the products are exact integers, the output is dequantized to fp32).
struct Linear {
    let weight: LinearWeight   // "<prefix>.weight"  [out, in]
    let bias: TensorView?      // "<prefix>.bias"    [out]  (nil: no bias, as CLIP's conv1)

    var outputs: Int { weight.outputs }
    var inputs: Int { weight.inputs }

    /// The Linear named `<prefix>.weight` / `<prefix>.bias`.
    init(_ w: WeightReader, _ prefix: String, out: Int, in inputs: Int) throws {
        try self.init(w, weight: prefix + ".weight", bias: prefix + ".bias", out: out, in: inputs)
    }

    /// A Linear under other names (CLIP's `attn.in_proj_weight` / `attn.in_proj_bias`, the patch convolution
    /// `clip.visual.conv1.weight` [Dv, 3, p, p] read as [Dv, 3 p p] without a bias).
    init(_ w: WeightReader, weight: String, bias: String?, out: Int, in inputs: Int, shape: [Int]? = nil) throws {
        self.weight = try w.linearWeight(weight, shape ?? [out, inputs], out: out, in: inputs)
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
            GEMM.nt(m: rows, n: outputs, k: inputs, a: x, lda: ldx ?? inputs, b: w.floats, ldb: inputs,
                    beta: accumulate ? 1 : 0, c: y, ldc: outputs)
            if let bias { vd_add_bias_rows(y, bias.floats, rows, outputs) }
        case .s8(let w):
            w.apply(x, rows: rows, ldx: ldx ?? inputs, bias: bias?.floats, into: y, accumulate: accumulate)
        }
    }
}

/// The weight of a Linear: fp32 in the mapped file, or int8 packed for the int8 kernels.
enum LinearWeight {
    case f32(TensorView)          // [out, in] (or the patch convolution's [Dv, 3, p, p])
    case s8(PackedS8Weights)

    var outputs: Int {
        switch self {
        case .f32(let t): return t.shape[0]
        case .s8(let p): return p.outputs
        }
    }

    var inputs: Int {
        switch self {
        case .f32(let t): return t.count / t.shape[0]
        case .s8(let p): return p.inputs
        }
    }

    var isInt8: Bool { if case .s8 = self { return true } else { return false } }
}

/// The thread count of the int8 kernels for the work bound inside `Int8Threads.$count.withValue(n) { ... }`
/// on this thread; 0 (the default) means OpenBLAS's count for the call. It lets a call give its threads to the
/// int8 kernels while OpenBLAS runs on one (see `VideoDistillModel.encodeTokens`).
enum Int8Threads {
    @TaskLocal static var count = 0
}

/// An int8 weight [out, in] with its per-output-channel scales, packed once (`vd_s8_weights_pack`) into the
/// kernels' layout and freed with the model.
final class PackedS8Weights: @unchecked Sendable {
    let packed: OpaquePointer   // vd_s8_weights *
    let outputs: Int
    let inputs: Int

    /// Packs q [out, in] with scales [out]. Throws when the kernels cannot allocate the packed copy.
    init(q: UnsafePointer<Int8>, scales: UnsafePointer<Float>, out: Int, in inputs: Int, name: String) throws {
        guard let p = vd_s8_weights_pack(q, scales, Int32(out), Int32(inputs)) else {
            throw VideoDistillError.invalidModelFile("cannot pack int8 tensor \(name) [\(out), \(inputs)] (out of memory)")
        }
        packed = p
        outputs = out
        self.inputs = inputs
    }

    deinit { vd_s8_weights_free(packed) }

    /// Bytes the packed copy holds.
    var bytes: Int { vd_s8_weights_bytes(packed) }

    /// y = dequant(quant_rows(x) W^T) + b, or y += that when `accumulate`.
    /// x: [rows, in] (row stride ldx); y: [rows, out]; bias: [out] or nil.
    ///
    /// Threads: `Int8Threads.count` when set, else the count OpenBLAS was given for this call (`BLASThreads`
    /// holds it while the call runs).
    /// The kernels allocate their scratch per call; running out of memory there is a fatal error, like any
    /// allocation of the fp32 path's scratch.
    func apply(_ x: UnsafePointer<Float>, rows: Int, ldx: Int, bias: UnsafePointer<Float>?,
               into y: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let threads = Int32(Int8Threads.count > 0 ? Int8Threads.count : Int(max(1, openblas_get_num_threads())))
        // The residual form adds in the kernels' epilogue: no scratch, no second pass. x and y never overlap here.
        let r = accumulate
            ? vd_linear_s8_acc(y, Int64(outputs), x, Int32(rows), Int32(inputs), Int64(ldx), packed, bias, threads)
            : vd_linear_s8(y, Int64(outputs), x, Int32(rows), Int32(inputs), Int64(ldx), packed, bias, threads)
        guard r == 0 else { fatalError("int8 Linear: out of memory for the \(rows) x \(inputs) activations' scratch") }
    }
}
